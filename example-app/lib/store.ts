// A small file-based store for the example app: sent emails and imported contacts live as JSON
// files under EXAMPLE_DATA_DIR (default: .data in the app folder), so they survive a restart.
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** An email as the outbox shows it. */
export interface OutboxEmail {
  id: string;
  subject: string;
  content: string;
  recipients: string[];
  /** `outbox` when no SMTP server is configured, `smtp` when nodemailer sent it. */
  delivery: 'outbox' | 'smtp';
  sentAt: string;
}

/** An imported contact. */
export interface Contact {
  name: string;
  email: string;
}

function dataDir(): string {
  return process.env.EXAMPLE_DATA_DIR ?? path.join(process.cwd(), '.data');
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  await rename(temporary, file);
}

/** Stores one email; the file name starts with the time so that listing sorts by it. */
export async function saveEmail(email: OutboxEmail): Promise<void> {
  const file = path.join(dataDir(), 'outbox', `${email.sentAt.replaceAll(':', '-')}-${email.id}.json`);
  await writeJsonAtomically(file, email);
}

/** Lists stored emails, newest first. */
export async function listEmails(): Promise<OutboxEmail[]> {
  const directory = path.join(dataDir(), 'outbox');
  const names = await readdir(directory).catch(() => [] as string[]);
  const files = names
    .filter((name) => name.endsWith('.json'))
    .sort()
    .reverse();
  return Promise.all(
    files.map(async (name) => JSON.parse(await readFile(path.join(directory, name), 'utf8')) as OutboxEmail),
  );
}

// Imports run concurrently on the in-process backend; this chain keeps read-modify-write steps apart.
let contactsLock: Promise<unknown> = Promise.resolve();

/** Adds contacts, replacing any with the same email address. Resolves to the new total. */
export function addContacts(contacts: Contact[]): Promise<number> {
  const update = contactsLock.then(async () => {
    const byEmail = new Map((await listContacts()).map((contact) => [contact.email, contact]));
    for (const contact of contacts) byEmail.set(contact.email, contact);
    await writeJsonAtomically(path.join(dataDir(), 'contacts.json'), [...byEmail.values()]);
    return byEmail.size;
  });
  contactsLock = update.catch(() => undefined);
  return update;
}

/** Lists imported contacts in import order. */
export async function listContacts(): Promise<Contact[]> {
  const text = await readFile(path.join(dataDir(), 'contacts.json'), 'utf8').catch(() => '[]');
  return JSON.parse(text) as Contact[];
}

/** One run of the flaky-report task. */
export interface ReportRun {
  /** `context.attempt`: 1 for the first dispatch, counted by the backend. */
  attempt: number;
  /** `context.delivery.executionCount` as the queue sent it; absent on the in-process backend. */
  executionCount?: number;
  /** `context.delivery.queueName` as the queue sent it; absent on the in-process backend. */
  queueName?: string;
  startedAt: string;
  outcome: 'failed' | 'succeeded';
}

/** A report of the flaky-report task, with every run so far. */
export interface Report {
  id: string;
  /** How many runs fail on purpose before one succeeds. */
  failures: number;
  runs: ReportRun[];
  /** The report itself, set by the run that succeeded. */
  summary?: { emails: number; contacts: number };
}

function reportFile(id: string): string {
  return path.join(dataDir(), 'reports', `${id}.json`);
}

/** Reads the report of task `id`, or `undefined` before its first run. */
export async function readReport(id: string): Promise<Report | undefined> {
  const text = await readFile(reportFile(id), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as Report);
}

/** Stores a report, replacing the one with the same id. */
export async function saveReport(report: Report): Promise<void> {
  await writeJsonAtomically(reportFile(report.id), report);
}

/** Lists stored reports, the most recently started first. */
export async function listReports(): Promise<Report[]> {
  const directory = path.join(dataDir(), 'reports');
  const names = await readdir(directory).catch(() => [] as string[]);
  const reports = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(path.join(directory, name), 'utf8')) as Report),
  );
  const firstRun = (report: Report) => report.runs[0]?.startedAt ?? '';
  return reports.sort((a, b) => firstRun(b).localeCompare(firstRun(a)));
}
