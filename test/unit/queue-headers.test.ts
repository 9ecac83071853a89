import { describe, expect, it } from 'vitest';

import { runFromQueueHeaders } from '../../src/http/queue-headers.js';

function headers(values: Record<string, string>): Headers {
  return new Headers(values);
}

const complete = {
  'x-cloudtasks-taskname': 'report-42',
  'x-cloudtasks-taskretrycount': '2',
  'x-cloudtasks-taskexecutioncount': '1',
  'x-cloudtasks-tasketa': '1764806400.250',
  'x-cloudtasks-queuename': 'example-tasks',
};

describe('runFromQueueHeaders', () => {
  it('reads id from task name', () => {
    expect(runFromQueueHeaders(headers(complete))?.id).toBe('report-42');
  });

  it('attempt is retry count plus one', () => {
    expect(runFromQueueHeaders(headers(complete))?.attempt).toBe(3);
  });

  it('reads delivery facts', () => {
    expect(runFromQueueHeaders(headers(complete))?.delivery).toEqual({
      queueName: 'example-tasks',
      executionCount: 1,
      eta: new Date(1_764_806_400_250),
    });
  });

  it('enqueuedAt is the ETA', () => {
    expect(runFromQueueHeaders(headers(complete))?.enqueuedAt).toEqual(new Date(1_764_806_400_250));
  });

  it('undefined without task name', () => {
    expect(runFromQueueHeaders(headers({ 'x-cloudtasks-taskretrycount': '1' }))).toBeUndefined();
  });

  it.each(['', 'has space', 'slash/inside', 'a'.repeat(501)])('undefined for invalid task name %j', (name) => {
    expect(runFromQueueHeaders(headers({ 'x-cloudtasks-taskname': name }))).toBeUndefined();
  });

  it.each(['-1', '1.5', 'two', '9999999999'])('malformed retry count %j means attempt 1', (count) => {
    const run = runFromQueueHeaders(headers({ 'x-cloudtasks-taskname': 't1', 'x-cloudtasks-taskretrycount': count }));

    expect(run?.attempt).toBe(1);
  });

  it.each(['soon', '-5', '1e9'])('malformed ETA %j is undefined', (eta) => {
    const run = runFromQueueHeaders(headers({ 'x-cloudtasks-taskname': 't1', 'x-cloudtasks-tasketa': eta }));

    expect(run?.delivery?.eta).toBeUndefined();
  });

  it('missing queue name is empty', () => {
    const run = runFromQueueHeaders(headers({ 'x-cloudtasks-taskname': 't1' }));

    expect(run?.delivery?.queueName).toBe('');
  });

  it('missing execution count is 0', () => {
    const run = runFromQueueHeaders(headers({ 'x-cloudtasks-taskname': 't1' }));

    expect(run?.delivery?.executionCount).toBe(0);
  });
});
