// readEnvironmentVariable: the one reader of the variables that the Cloud Tasks backend and the
// OIDC authenticator share.
import { describe, expect, it } from 'vitest';
import { readEnvironmentVariable } from '../../src/core/environment.js';

describe('readEnvironmentVariable', () => {
  it('trims the value', () => {
    expect(readEnvironmentVariable('NAME', { NAME: '  https://example.com \n' })).toBe('https://example.com');
  });

  it('treats blank as unset', () => {
    expect(readEnvironmentVariable('NAME', { NAME: ' \t ' })).toBeUndefined();
  });

  it('treats missing as unset', () => {
    expect(readEnvironmentVariable('NAME', {})).toBeUndefined();
  });

  it('reads process.env by default', () => {
    process.env.NEXT_GENERIC_TASKS_ENVIRONMENT_TEST = ' value ';
    try {
      expect(readEnvironmentVariable('NEXT_GENERIC_TASKS_ENVIRONMENT_TEST')).toBe('value');
    } finally {
      delete process.env.NEXT_GENERIC_TASKS_ENVIRONMENT_TEST;
    }
  });
});
