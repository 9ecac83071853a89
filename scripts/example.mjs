// `npm run example`: installs what is missing, builds the library and starts the example app
// with `next dev` on the in-process backend. PORT picks the port (default 3000).
import { buildLibrary, installPackages, quietEnv, startExampleDevServer } from './setup.mjs';

installPackages();
buildLibrary();

const port = process.env.PORT ?? '3000';
console.log(`\nStarting the example app on http://localhost:${port}, loopback only (Ctrl+C stops it).`);
console.log(
  `Try the API: curl -u example:example-password -H 'content-type: application/json' ` +
    `-d '{"csv":"Ada Lovelace,ada@example.com"}' http://localhost:${port}/api/tasks/import-contacts`,
);
console.log(`API docs: http://localhost:${port}/api/tasks/docs (user example, password example-password)\n`);

const next = startExampleDevServer(port, quietEnv);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => next.kill(signal));
next.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
