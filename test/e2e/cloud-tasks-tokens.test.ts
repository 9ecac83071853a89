// The example app on the Cloud Tasks backend with OIDC authentication: which calls its task
// endpoints accept. Tokens come from the emulator (through tasks created here with the client)
// or are signed here, and each rejected call must leave its task unrun.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

import { type CloudTasksEmulator, type DispatchRecord, startCloudTasksEmulator } from '../../src/emulator/index.js';
import {
  type CloudTasksExample,
  connectClient,
  createHttpTask,
  createSigningKey,
  createSingleAttemptQueue,
  type HttpTaskSpec,
  idTokenClaims,
  PROJECT,
  readOutboxSubjects,
  SERVICE_ACCOUNT,
  startCloudTasksExample,
} from '../support/cloud-tasks.js';
import { callTask, exampleWebhookSecret, readErrorBody } from '../support/task-requests.js';

/** Queue id of the tasks created here: one attempt each, so a rejected dispatch is not retried. */
const SINGLE_ATTEMPT_QUEUE = 'single-attempt';

let example: CloudTasksExample | undefined;
/** A second emulator, whose signing key the app does not know. */
let otherEmulator: CloudTasksEmulator | undefined;
let singleAttemptQueue = '';

beforeAll(async () => {
  // The test's own CloudTasksClients must not look for the GCE metadata server either.
  vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
  example = await startCloudTasksExample();
  singleAttemptQueue = await createSingleAttemptQueue(example.client, SINGLE_ATTEMPT_QUEUE);
  otherEmulator = await startCloudTasksEmulator({
    host: '127.0.0.1',
    port: 0,
    httpPort: 0,
    queues: [singleAttemptQueue],
  });
});

afterAll(async () => {
  await example?.stop();
  await otherEmulator?.stop();
  vi.unstubAllEnvs();
});

function running(): CloudTasksExample {
  if (example === undefined) throw new Error('the example app did not start');
  return example;
}

/** Builds send-email params with a unique subject, so the outbox shows whether the task ran. */
function emailParams(subject: string) {
  return { subject, content: 'Sent through a Cloud Tasks dispatch.', recipients: ['ada@example.com'] };
}

/** Returns the `oidcToken` of the app's own tasks: the app's URL as audience and the allowed service account. */
function appToken(): NonNullable<HttpTaskSpec['oidcToken']> {
  return { serviceAccountEmail: SERVICE_ACCOUNT, audience: running().app.url };
}

/**
 * Creates a task for the app's `taskName` endpoint in the single-attempt queue of `emulator`, and
 * resolves to its one dispatch. `oidcToken` sets the token's account and audience, or `null` for none.
 */
async function dispatchTask(
  emulator: CloudTasksEmulator,
  taskName: string,
  body: unknown,
  oidcToken: HttpTaskSpec['oidcToken'] | null,
): Promise<DispatchRecord> {
  const ownClient = emulator === running().emulator ? undefined : connectClient(emulator);
  try {
    const name = await createHttpTask(ownClient ?? running().client, singleAttemptQueue, {
      url: `${running().app.url}/api/tasks/${taskName}`,
      body,
      ...(oidcToken === null ? {} : { oidcToken }),
    });
    const dispatches = await emulator.waitForDispatches(
      (all) => all.some((dispatch) => dispatch.taskName === name),
      30_000,
    );
    const dispatch = dispatches.find((candidate) => candidate.taskName === name);
    if (dispatch === undefined) throw new Error(`no dispatch of ${name}`);
    return dispatch;
  } finally {
    await ownClient?.close();
  }
}

/** Calls the send-email endpoint directly with Cloud Tasks headers and `token` as the bearer token. */
function callWithToken(token: string, subject: string): Promise<Response> {
  return callTask(running().app.url, 'send-email', {
    body: emailParams(subject),
    authorization: `Bearer ${token}`,
    headers: { 'x-cloudtasks-taskname': randomUUID(), 'x-cloudtasks-queuename': SINGLE_ATTEMPT_QUEUE },
  });
}

/**
 * Returns whether the send-email task stored an email with `subject`. The endpoint runs the task
 * before it responds, so the result is final once the call or dispatch has its response.
 */
async function wasSent(subject: string): Promise<boolean> {
  return (await readOutboxSubjects(running().dataDir)).includes(subject);
}

describe('Cloud Tasks tokens at the example app', () => {
  test('emulator token for app runs task', async () => {
    const subject = `accepted ${randomUUID()}`;

    const dispatch = await dispatchTask(running().emulator, 'send-email', emailParams(subject), appToken());

    expect(dispatch.status).toBe(200);
    expect(await wasSent(subject)).toBe(true);
  });

  test.each([
    { case: 'no token', token: () => null, status: 401 },
    { case: 'another audience', token: () => ({ ...appToken(), audience: 'http://127.0.0.1:9' }), status: 401 },
    {
      case: 'another service account',
      token: () => ({ ...appToken(), serviceAccountEmail: `someone-else@${PROJECT}.iam.gserviceaccount.com` }),
      status: 403,
    },
  ])('emulator dispatch with $case gets $status', async ({ token, status }) => {
    const subject = `rejected ${randomUUID()}`;

    const dispatch = await dispatchTask(running().emulator, 'send-email', emailParams(subject), token());

    expect(dispatch.status).toBe(status);
    expect(await wasSent(subject)).toBe(false);
  });

  test('other emulator key gets 401', async () => {
    if (otherEmulator === undefined) throw new Error('the second emulator did not start');
    const subject = `other key ${randomUUID()}`;

    const dispatch = await dispatchTask(otherEmulator, 'send-email', emailParams(subject), appToken());

    expect(dispatch.status).toBe(401);
    expect(dispatch.headers.authorization).toMatch(/^Bearer /);
    expect(await wasSent(subject)).toBe(false);
  });

  test('trusted test key token runs task', async () => {
    const { app, trustedTestKey } = running();
    const subject = `signed here ${randomUUID()}`;

    const response = await callWithToken(trustedTestKey.sign(idTokenClaims(app.url)), subject);

    expect(response.status).toBe(200);
    expect(await wasSent(subject)).toBe(true);
  });

  test('expired token gets 401', async () => {
    const { app, trustedTestKey } = running();
    const subject = `expired ${randomUUID()}`;
    // Two hours old and expired for an hour, well past the five minutes of clock skew allowed.
    const now = Math.floor(Date.now() / 1000);
    const token = trustedTestKey.sign(idTokenClaims(app.url, { iat: now - 7200, exp: now - 3600 }));

    const response = await callWithToken(token, subject);
    const error = await readErrorBody(response);

    expect(response.status).toBe(401);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/^Expired OIDC token/);
    expect(await wasSent(subject)).toBe(false);
  });

  test('unknown key with emulator kid gets 401', async () => {
    const { app, emulator } = running();
    const subject = `forged ${randomUUID()}`;
    const [emulatorKeyId] = Object.keys((await (await fetch(emulator.certsUrl)).json()) as Record<string, string>);
    const forgedKey = createSigningKey(emulatorKeyId ?? 'missing-kid');

    const response = await callWithToken(forgedKey.sign(idTokenClaims(app.url)), subject);
    const error = await readErrorBody(response);

    expect(response.status).toBe(401);
    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe('Invalid OIDC token: its signature does not verify.');
    expect(await wasSent(subject)).toBe(false);
  });

  test('webhook keeps its HMAC authentication', async () => {
    const { app } = running();
    const body = JSON.stringify({ type: 'order.paid', data: { order: 42 } });
    const signature = `sha256=${createHmac('sha256', exampleWebhookSecret).update(body).digest('hex')}`;

    const signed = await callTask(app.url, 'receive-webhook', {
      body,
      authorization: null,
      headers: { 'x-webhook-signature': signature },
    });
    // A valid emulator token does not replace the task's own check.
    const dispatch = await dispatchTask(running().emulator, 'receive-webhook', JSON.parse(body), appToken());

    expect(signed.status).toBe(200);
    expect((await signed.json()).result).toEqual({ received: 'order.paid', fields: 1 });
    expect(dispatch?.status).toBe(401);
  });

  test('one certificate fetch serves many dispatches', async () => {
    const { certsProxy, emulator } = running();
    const subjects = Array.from({ length: 5 }, (_, index) => `batch ${index} ${randomUUID()}`);

    const dispatches = await Promise.all(
      subjects.map((subject) => dispatchTask(emulator, 'send-email', emailParams(subject), appToken())),
    );

    expect(dispatches.map((dispatch) => dispatch.status)).toEqual([200, 200, 200, 200, 200]);
    // Every call of this file so far, accepted or not, was checked against the certificates of one fetch.
    expect(certsProxy.requests).toEqual(['GET /certs']);
  });

  // Runs after the tests above on purpose: none of their requests may have reached the trap.
  test('metadata server sees no request', () => {
    expect(running().metadataTrap.requests).toEqual([]);
  });
});
