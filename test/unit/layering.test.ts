// The folder layering of src/: the core imports only itself, and backends and authenticators
// import only the core and their own folder, never settings, http or next.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOURCE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Lists the `.ts` files under a folder of src/, as paths relative to src/. */
function sourceFiles(folder: string): string[] {
  return readdirSync(join(SOURCE_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** Lists the relative imports of a file as `file -> folder` edges, where folder is the top folder of src/ they point into. */
function importedFolders(file: string): string[] {
  const text = readFileSync(join(SOURCE_ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => {
    const target = relative(SOURCE_ROOT, resolve(dirname(join(SOURCE_ROOT, file)), specifier));
    return `${file} -> ${target.split('/')[0]}`;
  });
}

function importsOutside(folder: string, allowed: readonly string[]): string[] {
  return sourceFiles(folder)
    .flatMap(importedFolders)
    .filter((edge) => !allowed.includes(edge.split(' -> ')[1] ?? ''));
}

describe('source layering', () => {
  it('core imports only core', () => {
    expect(importsOutside('core', ['core'])).toEqual([]);
  });

  it('backends import only core and backends', () => {
    expect(importsOutside('backends', ['core', 'backends'])).toEqual([]);
  });

  it('auth imports only core and auth', () => {
    expect(importsOutside('auth', ['core', 'auth'])).toEqual([]);
  });
});
