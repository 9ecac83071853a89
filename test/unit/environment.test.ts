// readEnvironmentVariable: the one reader of the variables that the Cloud Tasks backend and the
// OIDC authenticator share.
import { describe, expect, it } from 'vitest';

import { googleOidcAuth } from '../../src/auth/google-oidc/authenticator.js';
import { cloudTasksBackend } from '../../src/backends/cloud-tasks/index.js';
import { isServiceAccountEmail, readEnvironmentVariable } from '../../src/core/environment.js';
import { thrownBy } from './helpers.js';

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

describe('isServiceAccountEmail', () => {
  it.each(['tasks@my-project.iam.gserviceaccount.com', 'a.b+c@example.co'])('accepts %s', (email) => {
    expect(isServiceAccountEmail(email)).toBe(true);
  });

  it.each(['a@b', 'tasks', '@example.com', 'tasks@', 'tasks @example.com', 42])('rejects %j', (email) => {
    expect(isServiceAccountEmail(email)).toBe(false);
  });

  it('backend and OIDC reject the same email', () => {
    const backendError = thrownBy(() =>
      cloudTasksBackend({
        project: 'p',
        location: 'us-central1',
        queue: 'q',
        baseUrl: 'https://app.example.com',
        serviceAccountEmail: 'a@b',
      }),
    );
    const oidcError = thrownBy(() =>
      googleOidcAuth({ audience: 'https://app.example.com', serviceAccountEmail: 'a@b' }),
    );

    expect(backendError.code).toBe('configuration_error');
    expect(oidcError.code).toBe('configuration_error');
  });
});
