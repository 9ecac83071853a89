import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { type AuthResult, basicAuth, noAuth } from '../../src/index.js';
import { resetTasks } from '../../src/testing/index.js';
import { basicAuthorization, rejectionOf, thrownBy } from './helpers.js';

function requestWith(authorization?: string): Request {
  const headers = new Headers();
  if (authorization !== undefined) headers.set('authorization', authorization);
  return new Request('http://localhost/api/tasks/example', { method: 'POST', headers });
}

function expectRejected(result: AuthResult): void {
  expect(result.ok).toBe(false);
  expect(result.ok ? undefined : result.status).toBe(401);
}

beforeEach(() => {
  resetTasks();
  vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', undefined);
  vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', undefined);
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('basicAuth with fixed credentials', () => {
  const auth = basicAuth({ username: 'tasks', password: 's3cret' });

  it('accepts right credentials', async () => {
    expect(await auth.authenticate(requestWith(basicAuthorization('tasks', 's3cret')))).toEqual({ ok: true });
  });

  it('accepts lowercase scheme', async () => {
    const encoded = Buffer.from('tasks:s3cret').toString('base64');

    expect((await auth.authenticate(requestWith(`basic ${encoded}`))).ok).toBe(true);
  });

  it.each([
    ['wrong user', basicAuthorization('task', 's3cret')],
    ['wrong password', basicAuthorization('tasks', 's3cret!')],
    ['empty password', basicAuthorization('tasks', '')],
    ['password prefix', basicAuthorization('tasks', 's3cre')],
    ['swapped parts', basicAuthorization('s3cret', 'tasks')],
    ['no colon', `Basic ${Buffer.from('taskss3cret').toString('base64')}`],
    ['not base64', 'Basic ***'],
    ['scheme only', 'Basic'],
    ['two tokens', `Basic ${Buffer.from('tasks:s3cret').toString('base64')} extra`],
    ['invalid UTF-8', `Basic ${Buffer.from([0x74, 0x3a, 0xff, 0xfe]).toString('base64')}`],
    ['bearer scheme', 'Bearer s3cret'],
    ['digest scheme', 'Digest username="tasks"'],
  ])('rejects %s', async (_case, header) => {
    expectRejected(await auth.authenticate(requestWith(header)));
  });

  it('rejects missing header', async () => {
    const result = await auth.authenticate(requestWith());

    expectRejected(result);
    expect(result.ok ? '' : result.message).toContain('Authorization: Basic');
  });

  it.each([
    ['quote', 'my "app"'],
    ['backslash', 'a\\b'],
    ['line break', 'a\nb'],
    ['non-ASCII', 'grüße'],
  ])('rejects realm with %s', (_case, realm) => {
    const error = thrownBy(() => basicAuth({ username: 'a', password: 'b', realm }));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('realm');
  });

  it.each([
    ['realm only', { realm: 'jobs' }, '`username` and `password`'],
    ['verify not a function', { verify: 'yes' }, '`verify`'],
  ])('rejects options with %s', (_case, options, named) => {
    const error = thrownBy(() => basicAuth(options as never));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain(named);
  });

  it('challenge names Basic realm', () => {
    expect(auth.challenge).toMatch(/^Basic realm="tasks"/);
    expect(basicAuth({ username: 'a', password: 'b', realm: 'jobs' }).challenge).toMatch(/^Basic realm="jobs"/);
  });

  it('scheme is basic', () => {
    expect(auth.scheme).toBe('basic');
  });

  it('rejection message has no credential', async () => {
    const result = await auth.authenticate(requestWith(basicAuthorization('tasks', 'guess-me')));

    const message = result.ok ? '' : result.message;
    expect(message).not.toContain('guess-me');
    expect(message).not.toContain('s3cret');
    expect(message).not.toContain(Buffer.from('tasks:guess-me').toString('base64'));
  });

  it('rejection message says what to check', async () => {
    const wrongUser = await auth.authenticate(requestWith(basicAuthorization('task', 's3cret')));
    const wrongPassword = await auth.authenticate(requestWith(basicAuthorization('tasks', 's3cret!')));

    const message = wrongUser.ok ? '' : wrongUser.message;
    expect(message).toContain('Check the username and password');
    expect(wrongPassword.ok ? '' : wrongPassword.message).toBe(message);
  });

  it('password with colons and non-ASCII', async () => {
    const password = 'pa:ss:wörd ☕ 日本';
    const unicodeAuth = basicAuth({ username: 'jürgen', password });

    expect((await unicodeAuth.authenticate(requestWith(basicAuthorization('jürgen', password)))).ok).toBe(true);
    expectRejected(await unicodeAuth.authenticate(requestWith(basicAuthorization('jürgen', 'pa:ss:word ☕ 日本'))));
    expectRejected(await unicodeAuth.authenticate(requestWith(basicAuthorization('jürgen', 'pa'))));
  });

  it.each([
    ['empty username', { username: '', password: 'p' }],
    ['empty password', { username: 'u', password: '' }],
    ['colon in username', { username: 'a:b', password: 'p' }],
  ])('creation rejects %s', (_case, options) => {
    const error = thrownBy(() => basicAuth(options));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('basicAuth()');
  });
});

describe('basicAuth from environment', () => {
  it('reads credentials at request time', async () => {
    const auth = basicAuth();
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', 'env-user');
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', 'first');

    expect((await auth.authenticate(requestWith(basicAuthorization('env-user', 'first')))).ok).toBe(true);

    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', 'second');

    expectRejected(await auth.authenticate(requestWith(basicAuthorization('env-user', 'first'))));
    expect((await auth.authenticate(requestWith(basicAuthorization('env-user', 'second')))).ok).toBe(true);
  });

  it.each([
    ['both missing', undefined, undefined],
    ['username missing', undefined, 'p'],
    ['password missing', 'u', undefined],
    ['password empty', 'u', ''],
  ])('%s is configuration_error', async (_case, username, password) => {
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', username);
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', password);

    const error = await rejectionOf(basicAuth().authenticate(requestWith(basicAuthorization('u', 'p'))));

    expect(error.code).toBe('configuration_error');
    expect(error.message).toContain('TASKS_BASIC_AUTH_USERNAME');
    expect(error.message).toContain('TASKS_BASIC_AUTH_PASSWORD');
  });

  it('missing credentials fail without a header', async () => {
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', undefined);
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', undefined);

    const error = await rejectionOf(basicAuth().authenticate(requestWith()));

    expect(error.code).toBe('configuration_error');
  });

  it('configuration error hides password', async () => {
    vi.stubEnv('TASKS_BASIC_AUTH_USERNAME', 'user:colon');
    vi.stubEnv('TASKS_BASIC_AUTH_PASSWORD', 'env-password-value');

    const error = await rejectionOf(basicAuth().authenticate(requestWith(basicAuthorization('user', 'x'))));

    expect(error.code).toBe('configuration_error');
    expect(error.message).not.toContain('env-password-value');
  });
});

describe('basicAuth with verify function', () => {
  it('passes decoded credentials', async () => {
    const calls: Array<[string, string]> = [];
    const auth = basicAuth({
      verify: (username, password) => {
        calls.push([username, password]);
        return username === 'ops' && password === 'a:b';
      },
    });

    expect((await auth.authenticate(requestWith(basicAuthorization('ops', 'a:b')))).ok).toBe(true);
    expectRejected(await auth.authenticate(requestWith(basicAuthorization('ops', 'wrong'))));
    expect(calls).toEqual([
      ['ops', 'a:b'],
      ['ops', 'wrong'],
    ]);
  });

  it('awaits async verify', async () => {
    const auth = basicAuth({ verify: async (username) => username === 'ops' });

    expect((await auth.authenticate(requestWith(basicAuthorization('ops', 'x')))).ok).toBe(true);
    expectRejected(await auth.authenticate(requestWith(basicAuthorization('dev', 'x'))));
  });

  it('skips verify without header', async () => {
    const verify = vi.fn(() => true);

    expectRejected(await basicAuth({ verify }).authenticate(requestWith()));
    expect(verify).not.toHaveBeenCalled();
  });
});

describe('noAuth', () => {
  it.each([
    ['no header', undefined],
    ['basic header', basicAuthorization('anyone', 'anything')],
    ['garbage header', 'Nonsense'],
  ])('lets through %s', async (_case, header) => {
    expect(await noAuth().authenticate(requestWith(header))).toEqual({ ok: true });
  });

  it('scheme is none', () => {
    expect(noAuth().scheme).toBe('none');
  });
});
