'use server';

import { getTask, TaskError } from 'next-generic-tasks';

// Type-only imports: tasks.ts is loaded once, by instrumentation.ts, and found here by name.
import type { flakyReport, sendEmail } from '../tasks';

/** The form state after a submission. */
export interface SendEmailState {
  /** `rejected` when the backend refused the task, for example because its id is already used. */
  status: 'idle' | 'enqueued' | 'invalid' | 'rejected';
  taskId?: string;
  errors?: string[];
  /** The `TaskError` code of a rejected submission, such as `duplicate_task`. */
  errorCode?: string;
  /** The submitted values, shown again after an error so the user can fix them. */
  values?: { subject: string; recipients: string; content: string; delay: string; id: string };
}

/** Enqueues the send-email task with the form's values, under the given task id if there is one. */
export async function sendEmailAction(_previous: SendEmailState, form: FormData): Promise<SendEmailState> {
  const values = {
    subject: String(form.get('subject') ?? ''),
    recipients: String(form.get('recipients') ?? ''),
    content: String(form.get('content') ?? ''),
    delay: String(form.get('delay') ?? '0'),
    id: String(form.get('id') ?? '').trim(),
  };
  const recipients = values.recipients.split(/[\s,;]+/).filter((recipient) => recipient !== '');

  try {
    const { id } = await getTask<typeof sendEmail>('send-email').enqueue(
      { subject: values.subject, content: values.content, recipients },
      { delay: Number(values.delay) * 1000, id: values.id === '' ? undefined : values.id },
    );
    return { status: 'enqueued', taskId: id };
  } catch (error) {
    if (error instanceof TaskError && error.code === 'invalid_params') {
      const errors = error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      return { status: 'invalid', errors, values };
    }
    // An id that is malformed or already used is the user's to fix, so the message goes back to the form.
    if (error instanceof TaskError && (error.code === 'invalid_enqueue_options' || error.code === 'duplicate_task')) {
      return { status: 'rejected', errors: [error.message], errorCode: error.code, values };
    }
    throw error;
  }
}

/** The retry demo's form state after a submission. */
export interface ReportState {
  status: 'idle' | 'enqueued';
  taskId?: string;
}

/** Enqueues the flaky-report task, which fails its first `failures` runs on purpose. */
export async function enqueueReportAction(_previous: ReportState, form: FormData): Promise<ReportState> {
  const failures = Number(form.get('failures') ?? '2');
  const { id } = await getTask<typeof flakyReport>('flaky-report').enqueue({ failures });
  return { status: 'enqueued', taskId: id };
}
