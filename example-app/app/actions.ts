'use server';

import { getTask, TaskError } from 'next-generic-tasks';

// A type-only import: tasks.ts is loaded once, by instrumentation.ts, and found here by name.
import type { sendEmail } from '../tasks';

/** What the form shows after a submission. */
export interface SendEmailState {
  status: 'idle' | 'enqueued' | 'invalid';
  taskId?: string;
  errors?: string[];
}

/** Enqueues the send-email task with the form's values. */
export async function sendEmailAction(_previous: SendEmailState, form: FormData): Promise<SendEmailState> {
  const recipients = String(form.get('recipients') ?? '')
    .split(/[\s,;]+/)
    .filter((recipient) => recipient !== '');
  const delaySeconds = Number(form.get('delay') ?? 0);

  try {
    const { id } = await getTask<typeof sendEmail>('send-email').enqueue(
      { subject: String(form.get('subject') ?? ''), content: String(form.get('content') ?? ''), recipients },
      { delay: delaySeconds * 1000 },
    );
    return { status: 'enqueued', taskId: id };
  } catch (error) {
    if (error instanceof TaskError && error.code === 'invalid_params') {
      return { status: 'invalid', errors: error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
    }
    throw error;
  }
}
