import sharedNextConfig from '../next.config.mjs';

/** @type {import('next').NextConfig} */
const nextConfig = {
  ...sharedNextConfig,
  // `npm run example` listens on 127.0.0.1; the dev server's live updates (which the outbox's
  // refresh relies on) must accept the page whether it was opened as localhost or 127.0.0.1.
  allowedDevOrigins: ['localhost', '127.0.0.1'],
};

export default nextConfig;
