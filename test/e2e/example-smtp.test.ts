// The example app's send-email task delivers over SMTP with nodemailer when SMTP_URL is set.
// A local smtp-server on loopback receives the message.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exampleAppDir, type RunningNextApp, startNextApp, waitFor } from '../support/next-app.js';

interface ReceivedMessage {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtpServer(): Promise<{ url: string; messages: ReceivedMessage[]; stop: () => Promise<void> }> {
  const messages: ReceivedMessage[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        raw += chunk;
      });
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('example app send-email over SMTP', () => {
  let app: RunningNextApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let dataDir: string;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    dataDir = await mkdtemp(path.join(tmpdir(), 'ngt-smtp-'));
    app = await startNextApp(exampleAppDir, {
      env: { EXAMPLE_DATA_DIR: dataDir, SMTP_URL: smtp.url, SMTP_FROM: 'tasks@example.test' },
    });
  });

  afterAll(async () => {
    await app?.stop();
    await smtp?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers the email to the SMTP server', async () => {
    const response = await fetch(`${app.url}/api/tasks/send-email`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('example:example-password').toString('base64')}`,
      },
      body: JSON.stringify({
        subject: 'Quarterly report',
        content: 'The report is attached.',
        recipients: ['ada@example.test', 'grace@example.test'],
      }),
    });

    expect(response.status).toBe(200);
    const message = await waitFor(() => smtp.messages[0]);
    expect(message.from).toBe('tasks@example.test');
    expect(message.to).toEqual(['ada@example.test', 'grace@example.test']);
    expect(message.raw).toContain('Subject: Quarterly report');
    expect(message.raw).toContain('The report is attached.');
  });

  it('records the SMTP delivery in the outbox', async () => {
    const files = await waitFor(async () => {
      const names = await readdir(path.join(dataDir, 'outbox')).catch(() => []);
      return names.length > 0 ? names : undefined;
    });
    const email = JSON.parse(await readFile(path.join(dataDir, 'outbox', files[0] ?? ''), 'utf8'));

    expect(email.delivery).toBe('smtp');
  });
});
