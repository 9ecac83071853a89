// Builds the library and the example app once before the end-to-end tests.
import { buildNextApp, exampleAppDir, repositoryRoot, runCommand } from './next-app.js';

export default async function setup(): Promise<void> {
  await runCommand('npm', ['run', 'build'], { cwd: repositoryRoot });
  await buildNextApp(exampleAppDir);
}
