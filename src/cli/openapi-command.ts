/**
 * `next-generic-tasks openapi`.
 *
 * @module
 */

/** Runs the openapi command with the arguments after `openapi`; resolves to the exit code. */
export async function runOpenApiCommand(_args: string[]): Promise<number> {
  // TODO: write the merged OpenAPI document; this placeholder exits with an error until it exists.
  process.stderr.write('The openapi command is not available yet.\n');
  return 1;
}
