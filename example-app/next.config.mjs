import sharedNextConfig from '../next.config.mjs';

/** @type {import('next').NextConfig} */
const nextConfig = {
  ...sharedNextConfig,
  // `npm run example` listens on 127.0.0.1; the dev server's live updates (which the outbox's
  // refresh relies on) must accept the page whether it was opened as localhost or 127.0.0.1.
  allowedDevOrigins: ['localhost', '127.0.0.1'],
  // The Cloud Tasks backend (TASKS_BACKEND=cloud-tasks) imports @google-cloud/tasks at run time
  // with an import that bundlers skip, so `next dev` and `next start` need no setting for it.
  // Listing the package keeps Next.js from bundling it wherever app code imports it: bundled, it
  // fails to find the JSON files that it reads next to its own modules.
  // NOTE: `output: 'standalone'` would also need `outputFileTracingIncludes` for the package's
  // build/protos/*.json (see the README). This repository cannot use it with Turbopack 16.5,
  // because its workspace link node_modules/next-generic-tasks -> .. makes the include walk fail
  // with a symlink loop (https://github.com/vercel/next.js/issues/97550).
  serverExternalPackages: ['@google-cloud/tasks'],
};

export default nextConfig;
