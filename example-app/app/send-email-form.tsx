'use client';

import { useActionState } from 'react';

import { type SendEmailState, sendEmailAction } from './actions';

const initialState: SendEmailState = { status: 'idle' };

export function SendEmailForm() {
  const [state, formAction, pending] = useActionState(sendEmailAction, initialState);
  // React resets the form after each submission; the defaults bring back what failed validation.
  const values = state.status === 'invalid' ? state.values : undefined;

  return (
    <form action={formAction}>
      <label>
        Subject
        <input name="subject" required defaultValue={values?.subject ?? 'Hello from a background task'} />
      </label>
      <label>
        Recipients (separated by commas)
        <input name="recipients" required defaultValue={values?.recipients ?? 'ada@example.com'} />
      </label>
      <label>
        Content
        <textarea
          name="content"
          rows={4}
          required
          defaultValue={values?.content ?? 'This email was sent by the send-email task.'}
        />
      </label>
      <label>
        Send
        <select name="delay" defaultValue={values?.delay ?? '0'}>
          <option value="0">now</option>
          <option value="5">in 5 seconds</option>
          <option value="30">in 30 seconds</option>
        </select>
      </label>
      <button type="submit" disabled={pending}>
        {pending ? 'Enqueueing...' : 'Enqueue email'}
      </button>
      {state.status === 'enqueued' && (
        <p className="notice" role="status">
          Enqueued task <code data-testid="task-id">{state.taskId}</code>. It appears in the outbox once it has run.
        </p>
      )}
      {state.status === 'invalid' && (
        <ul className="error" role="alert">
          {state.errors?.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
