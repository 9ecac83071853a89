/**
 * `next-generic-tasks emulator`.
 *
 * @module
 */

/** Runs the emulator command with the arguments after `emulator`; resolves to the exit code. */
export async function runEmulatorCommand(_args: string[]): Promise<number> {
  // TODO: start the Cloud Tasks emulator; this placeholder exits with an error until it exists.
  process.stderr.write('The emulator command is not available yet.\n');
  return 1;
}
