'use server';

import { getTask, TaskError } from 'next-generic-tasks';

// A type-only import: tasks.ts is loaded once, by instrumentation.ts, and found here by name.
import type { sendEmail } from '../tasks';

/** The form state after a submission. */
export interface SendEmailState {
  status: 'idle' | 'enqueued' | 'invalid';
  taskId?: string;
  errors?: string[];
  /** The submitted values, shown again after a validation error so the user can fix them. */
  values?: { subject: string; recipients: string; content: string; delay: string };
}

/** Enqueues the send-email task with the form's values. */
export async function sendEmailAction(_previous: SendEmailState, form: FormData): Promise<SendEmailState> {
  const values = {
    subject: String(form.get('subject') ?? ''),
    recipients: String(form.get('recipients') ?? ''),
    content: String(form.get('content') ?? ''),
    delay: String(form.get('delay') ?? '0'),
  };
  const recipients = values.recipients.split(/[\s,;]+/).filter((recipient) => recipient !== '');

  try {
    const { id } = await getTask<typeof sendEmail>('send-email').enqueue(
      { subject: values.subject, content: values.content, recipients },
      { delay: Number(values.delay) * 1000 },
    );
    return { status: 'enqueued', taskId: id };
  } catch (error) {
    if (error instanceof TaskError && error.code === 'invalid_params') {
      const errors = error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      return { status: 'invalid', errors, values };
    }
    throw error;
  }
}
