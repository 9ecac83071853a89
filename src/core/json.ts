/**
 * Serialization of params to the JSON text that backends carry. Every backend moves params as
 * JSON, so a task receives the same values whether it runs in this process or arrives over HTTP.
 *
 * @module
 */
import { formatPath, TaskError } from './errors.js';

type Path = Array<string | number>;

/**
 * Serializes params to JSON text, first checking that nothing would be lost or changed on the
 * way: `JSON.stringify` silently drops functions and `undefined` and turns `NaN` into `null`.
 *
 * @throws {TaskError} `params_not_json`, naming the path of the first value JSON cannot carry.
 */
export function serializeParams(taskName: string, params: unknown): string {
  assertJsonSafe(taskName, params, [], []);
  return JSON.stringify(params);
}

function assertJsonSafe(taskName: string, value: unknown, path: Path, ancestors: object[]): void {
  const problem = describeProblem(value, path, ancestors);
  if (problem !== undefined) {
    throw new TaskError(
      'params_not_json',
      `Params of task "${taskName}" cannot be sent as JSON: ${formatPath(path)} ${problem}.`,
    );
  }
  if (typeof value !== 'object' || value === null) return;

  const json = hasToJson(value) ? value.toJSON() : value;
  if (json !== value) {
    assertJsonSafe(taskName, json, path, ancestors);
    return;
  }

  ancestors.push(value);
  if (Array.isArray(value)) {
    // An index loop visits the holes of a sparse array, which forEach skips and JSON turns into null.
    for (let index = 0; index < value.length; index += 1) {
      assertJsonSafe(taskName, value[index], [...path, index], ancestors);
    }
  } else {
    for (const [key, item] of Object.entries(value)) {
      // An undefined property is simply absent in JSON, which is what optional fields expect.
      if (item !== undefined) assertJsonSafe(taskName, item, [...path, key], ancestors);
    }
  }
  ancestors.pop();
}

function describeProblem(value: unknown, path: Path, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return 'is a BigInt, which JSON cannot represent; pass it as a string or a number';
    case 'function':
      return 'is a function; pass plain data only';
    case 'symbol':
      return 'is a symbol; pass plain data only';
    case 'undefined':
      if (path.length === 0) return 'is undefined; pass an object, {} for a task without params';
      if (typeof path.at(-1) === 'number') {
        return 'is undefined inside an array, which JSON turns into null; use null or remove the item';
      }
      return 'is undefined after toJSON(), which JSON drops silently; return a value from toJSON()';
    case 'number':
      return Number.isFinite(value) ? undefined : `is ${value}, which JSON turns into null; pass a finite number`;
    case 'object':
      if (value === null) return undefined;
      if (ancestors.includes(value)) return 'refers back to one of its parents (a cycle); pass a tree of plain data';
      if (Array.isArray(value) || hasToJson(value) || isPlainObject(value)) return undefined;
      return `is a ${value.constructor?.name ?? 'non-plain object'}, which JSON does not carry; use a plain object or an array`;
    default:
      return undefined;
  }
}

function hasToJson(value: object): value is { toJSON(): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
