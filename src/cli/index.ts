#!/usr/bin/env node
/**
 * The `next-generic-tasks` command: `emulator` runs a local Cloud Tasks emulator, `openapi`
 * writes the OpenAPI fragment of the app's `@swagger` routes at build time. Each subcommand is
 * loaded only when it runs.
 *
 * @module
 */
import process from 'node:process';

/** A subcommand: receives the arguments after its name and resolves to the exit code. */
type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  emulator: {
    summary: 'Run a local Cloud Tasks emulator (gRPC API, HTTP dispatch, OIDC tokens).',
    load: async () => (await import('./emulator-command.js')).runEmulatorCommand,
  },
  openapi: {
    summary:
      "Write the OpenAPI fragment of the app's @swagger JSDoc routes, which the task route merges into its document.",
    load: async () => (await import('./openapi-command.js')).runOpenApiCommand,
  },
};

const USAGE = [
  'Usage: next-generic-tasks <command> [options]',
  '',
  'Commands:',
  ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`),
  '',
  'Run `next-generic-tasks <command> --help` for the options of a command.',
].join('\n');

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }

  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`Unknown command ${JSON.stringify(name)}.\n\n${USAGE}\n`);
    return 1;
  }
  return (await command.load())(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
