// `npm run example:cloud-tasks`: the example app on the Cloud Tasks backend with OIDC
// authentication, against the local Cloud Tasks emulator. It installs what is missing, builds the
// library, starts the emulator in this process with one queue, then the example app with
// `next dev`, both on loopback. PORT picks the app's port (default 3000); Ctrl+C stops both.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { buildLibrary, installPackages, quietEnv, repositoryRoot, startExampleDevServer } from './setup.mjs';

// Demo values: the emulator accepts any project, location and service account, and signs tokens
// for whichever account a task names.
const project = 'demo-project';
const location = 'us-central1';
const queue = 'example-tasks';
const queuePath = `projects/${project}/locations/${location}/queues/${queue}`;
const serviceAccount = `tasks-invoker@${project}.iam.gserviceaccount.com`;

installPackages();
buildLibrary();

// Imported only now, because the build above has just written dist/.
const emulatorModule = pathToFileURL(path.join(repositoryRoot, 'dist/emulator/index.js')).href;
const { startCloudTasksEmulator } = await import(emulatorModule);

let emulator;
try {
  // Port 0 picks free ports, so the emulator never collides with one started by hand on its defaults.
  emulator = await startCloudTasksEmulator({
    host: '127.0.0.1',
    port: 0,
    httpPort: 0,
    queues: [queuePath],
    logger: createEmulatorLogger(),
  });
} catch (error) {
  console.error(`The Cloud Tasks emulator could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const port = process.env.PORT ?? '3000';
const baseUrl = `http://127.0.0.1:${port}`;

// Every setting is given here, because variables left in the shell would otherwise change the
// demo, and process variables win over example-app/.env (which selects basic auth).
const appEnv = {
  ...quietEnv,
  TASKS_BACKEND: 'cloud-tasks',
  CLOUD_TASKS_PROJECT: project,
  CLOUD_TASKS_LOCATION: location,
  CLOUD_TASKS_QUEUE: queue,
  CLOUD_TASKS_SERVICE_ACCOUNT: serviceAccount,
  CLOUD_TASKS_EMULATOR_HOST: emulator.grpcAddress,
  TASKS_BASE_URL: baseUrl,
  TASKS_API_AUTHENTICATION: 'oidc',
  TASKS_OIDC_AUDIENCE: baseUrl,
  TASKS_OIDC_SERVICE_ACCOUNTS: serviceAccount,
  TASKS_OIDC_ISSUERS: emulator.issuer,
  TASKS_OIDC_CERTS_URL: emulator.certsUrl,
};

console.log(`
Cloud Tasks emulator, in this process:
  gRPC API    ${emulator.grpcAddress}  (CLOUD_TASKS_EMULATOR_HOST)
  OIDC keys   ${emulator.certsUrl}  (TASKS_OIDC_CERTS_URL)
  queue       ${queuePath}

Example app, next dev on loopback only: ${baseUrl}
  Tasks are created on the emulator's queue, which calls ${baseUrl}/api/tasks/{name} back
  with an OIDC token for ${serviceAccount}.
  The task endpoints accept only those tokens; receive-webhook keeps its HMAC signature check.
  The flaky-report task under "Retries" shows the emulator retrying a failed task.
  API docs: ${baseUrl}/api/tasks/docs (user example, password example-password); "Try it out"
  gets 401 there, because the task endpoints want an OIDC token.

Ctrl+C stops both.
`);

const next = startExampleDevServer(port, appEnv);

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => next.kill(signal));
next.on('exit', async (code, signal) => {
  await emulator.stop();
  process.exit(code ?? (signal ? 1 : 0));
});

/** Creates a logger for the emulator's starts, stops, dispatches and retries: one `[emulator]` line each, no debug lines. */
function createEmulatorLogger() {
  const write = (level) => (message, fields) => {
    const details = Object.entries(fields ?? {})
      .map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join('');
    const line = `[emulator] ${level}${message}${details}`;
    if (level === '') console.log(line);
    else console.error(line);
  };
  return { debug: () => undefined, info: write(''), warn: write('warning: '), error: write('error: ') };
}
