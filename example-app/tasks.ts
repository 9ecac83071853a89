// The example app's tasks. instrumentation.ts imports this module at startup. Pages and server
// actions look tasks up by name with a type-only import, so the tasks are defined only here.
import { defineTask } from 'next-generic-tasks';
import * as v from 'valibot';
import { z } from 'zod';

import { sendOverSmtp } from './lib/mailer';
import {
  addContacts,
  type Contact,
  listContacts,
  listEmails,
  type ReportRun,
  readReport,
  saveEmail,
  saveReport,
} from './lib/store';
import { verifyWebhookSignature } from './lib/webhook-signature';

/** Sends an email: over SMTP when SMTP_URL is set, and always recorded in the outbox. */
export const sendEmail = defineTask({
  name: 'send-email',
  description: 'Sends an email to one or more recipients, or writes it to the outbox when no SMTP server is set.',
  schema: z.object({
    subject: z.string().trim().min(1, 'Enter a subject').max(200),
    content: z.string().min(1, 'Enter some content').max(10_000),
    recipients: z.array(z.email('Enter valid email addresses')).min(1, 'Enter at least one recipient').max(20),
  }),
  async run(email, { id, logger }) {
    const sentOverSmtp = await sendOverSmtp(email);
    await saveEmail({ id, ...email, delivery: sentOverSmtp ? 'smtp' : 'outbox', sentAt: new Date().toISOString() });
    logger.info('email delivered', {
      id,
      delivery: sentOverSmtp ? 'smtp' : 'outbox',
      recipients: email.recipients.length,
    });
    return { delivered: email.recipients.length };
  },
});

/** Imports contacts from CSV text with one `name,email` pair per line. */
export const importContacts = defineTask({
  name: 'import-contacts',
  description: 'Imports contacts from CSV text with one "name,email" pair per line.',
  // The schema checks each line, so a bad line gets a 422 with the issue instead of a failed run,
  // and a queue does not retry a 422.
  schema: v.pipe(
    v.object({
      csv: v.pipe(v.string(), v.minLength(1, 'Enter at least one line'), v.maxLength(100_000)),
      delimiter: v.optional(v.picklist([',', ';']), ','),
    }),
    v.forward(
      v.check(
        ({ csv, delimiter }) => findInvalidLine(csv, delimiter) === undefined,
        (issue) => describeInvalidLine(issue.input.csv, issue.input.delimiter),
      ),
      ['csv'],
    ),
  ),
  async run({ csv, delimiter }) {
    // The schema rejects CSV with an invalid line, so every line parses here.
    const contacts = csvLines(csv).flatMap((line) => parseContact(line, delimiter) ?? []);
    const total = await addContacts(contacts);
    return { imported: contacts.length, total };
  },
});

/** Splits CSV text into its non-blank lines. */
function csvLines(csv: string): string[] {
  return csv.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** Parses one `name{delimiter}email` line, or returns undefined for a line of another form. */
function parseContact(line: string, delimiter: string): Contact | undefined {
  const fields = line.split(delimiter).map((field) => field.trim());
  const [name, email] = fields;
  if (fields.length !== 2 || !name || !email?.includes('@')) return undefined;
  return { name, email };
}

/** Returns the number (from 1) of the first line that is neither blank nor a contact, or undefined. */
function findInvalidLine(csv: string, delimiter: string): number | undefined {
  const lines = csv.split(/\r?\n/);
  const index = lines.findIndex((line) => line.trim() !== '' && parseContact(line, delimiter) === undefined);
  return index === -1 ? undefined : index + 1;
}

function describeInvalidLine(csv: string, delimiter: string): string {
  return (
    `Line ${findInvalidLine(csv, delimiter)} is not a "name${delimiter}email" pair. ` +
    `Write one contact per line, such as "Ada Lovelace${delimiter}ada@example.com".`
  );
}

/**
 * Records a webhook event. Its endpoint uses its own authentication instead of the global one:
 * the sender signs the raw body with HMAC-SHA256 and EXAMPLE_WEBHOOK_SECRET, and sends
 * `X-Webhook-Signature: sha256=<hex>`.
 */
export const receiveWebhook = defineTask({
  name: 'receive-webhook',
  description: 'Records a webhook event signed with HMAC-SHA256 over the raw request body.',
  schema: z.object({
    type: z.string().min(1),
    data: z.record(z.string(), z.unknown()).default({}),
  }),
  auth: verifyWebhookSignature,
  async run(event, { id, logger }) {
    logger.info('webhook received', { id, type: event.type });
    return { received: event.type, fields: Object.keys(event.data).length };
  },
});

/**
 * Builds a summary of the outbox and the contacts, and fails its first `failures` runs on purpose
 * to show retries. A queue with retries, such as Cloud Tasks, runs it again until it succeeds. The
 * in-process backend runs each task once, so there the report stays failed. The report file
 * records each run, so it counts runs on its own, next to the attempt number the backend reports.
 */
export const flakyReport = defineTask({
  name: 'flaky-report',
  description:
    'Builds a summary of the outbox and contacts, failing its first `failures` runs on purpose to show retries.',
  schema: z.object({
    failures: z.number().int().min(0).max(5).default(2),
  }),
  async run({ failures }, { id, attempt, delivery, logger }) {
    const report = (await readReport(id)) ?? { id, failures, runs: [] };
    const run: ReportRun = {
      attempt,
      executionCount: delivery?.executionCount,
      queueName: delivery?.queueName,
      startedAt: new Date().toISOString(),
      outcome: 'failed',
    };
    report.runs.push(run);
    if (report.runs.length <= failures) {
      await saveReport(report);
      throw new Error(`Report ${id} failed on purpose in run ${report.runs.length} of the first ${failures}.`);
    }

    const [emails, contacts] = await Promise.all([listEmails(), listContacts()]);
    run.outcome = 'succeeded';
    report.summary = { emails: emails.length, contacts: contacts.length };
    await saveReport(report);
    logger.info('report built', { id, runs: report.runs.length, attempt });
    return {
      ...report.summary,
      runs: report.runs.length,
      attempt,
      executionCount: run.executionCount,
      queueName: run.queueName,
    };
  },
});
