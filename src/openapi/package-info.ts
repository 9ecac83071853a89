/**
 * The app's name, version and description from its package.json, the defaults of the document's
 * `info`.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { isRecord } from './options.js';

/** The fields of the app's package.json that the document uses; each is a non-empty string or absent. */
export interface AppPackageInfo {
  readonly name?: string;
  readonly version?: string;
  readonly description?: string;
}

/** Reads by working directory, so each package.json is read once per process. */
const reads = new Map<string, Promise<AppPackageInfo>>();

/**
 * Reads `package.json` in the working directory, which is the app's folder under `next start`,
 * `next dev` and the standalone server. A missing or invalid file gives `{}`.
 */
export function readAppPackageInfo(): Promise<AppPackageInfo> {
  const directory = process.cwd();
  let read = reads.get(directory);
  if (read === undefined) {
    read = readPackageFile(path.join(directory, 'package.json'));
    reads.set(directory, read);
  }
  return read;
}

async function readPackageFile(file: string): Promise<AppPackageInfo> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // Serverless bundles may ship without package.json; the document then uses its built-in defaults.
    return {};
  }
  if (!isRecord(manifest)) return {};

  const info: { -readonly [Field in keyof AppPackageInfo]: string } = {};
  for (const field of ['name', 'version', 'description'] as const) {
    const value = manifest[field];
    if (typeof value === 'string' && value.trim() !== '') info[field] = value;
  }
  return info;
}
