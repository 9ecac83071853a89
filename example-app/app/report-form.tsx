'use client';

import { useActionState } from 'react';

import { enqueueReportAction, type ReportState } from './actions';

const initialState: ReportState = { status: 'idle' };

/** Renders the retry demo's form, which enqueues the flaky-report task. */
export function ReportForm() {
  const [state, formAction, pending] = useActionState(enqueueReportAction, initialState);

  return (
    <form action={formAction}>
      <label>
        Runs that fail on purpose
        <select name="failures" defaultValue="2">
          <option value="0">none</option>
          <option value="1">the first</option>
          <option value="2">the first two</option>
          <option value="3">the first three</option>
        </select>
      </label>
      <button type="submit" disabled={pending}>
        {pending ? 'Enqueueing...' : 'Enqueue report'}
      </button>
      {state.status === 'enqueued' && (
        <p className="notice" role="status">
          Enqueued report <code data-testid="report-task-id">{state.taskId}</code>.
        </p>
      )}
    </form>
  );
}
