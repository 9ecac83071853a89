'use client';

import { useActionState } from 'react';

import { type SendEmailState, sendEmailAction } from './actions';

const initialState: SendEmailState = { status: 'idle' };

export function SendEmailForm() {
  const [state, formAction, pending] = useActionState(sendEmailAction, initialState);
  // React resets the form after each submission; the defaults bring back what was rejected.
  const values = state.status === 'invalid' || state.status === 'rejected' ? state.values : undefined;

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
      <label>
        Task id (optional)
        <input name="id" defaultValue={values?.id ?? ''} placeholder="for example welcome-ada" />
      </label>
      <p className="meta">
        A task with an id that is still in use is rejected as a duplicate. Cloud Tasks keeps an id for about an hour
        after its task ran; the in-process backend keeps it only while the task waits or runs.
      </p>
      <button type="submit" disabled={pending}>
        {pending ? 'Enqueueing...' : 'Enqueue email'}
      </button>
      {state.status === 'enqueued' && (
        <p className="notice" role="status">
          Enqueued task <code data-testid="task-id">{state.taskId}</code>. It appears in the outbox once it has run.
        </p>
      )}
      {(state.status === 'invalid' || state.status === 'rejected') && (
        <ul className="error" role="alert" data-error-code={state.errorCode}>
          {state.errors?.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
