// Next.js settings shared by the example app and the apps that the tests build.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, which contains the library that the apps import through a symlink. */
const repositoryRoot = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const sharedNextConfig = {
  // The apps import next-generic-tasks from this repository, outside their own folder, so both
  // Turbopack and output file tracing must treat the repository as the project root.
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  // Lets parallel test runs build into separate folders; everyone else gets the usual .next.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  // `next dev` would otherwise write an AGENTS.md into each app folder, changing the work tree.
  agentRules: false,
  experimental: { agentUpgrade: false },
};

export default sharedNextConfig;
