import { connection } from 'next/server';

import { listContacts, listEmails, listReports } from '../lib/store';
import { AutoRefresh } from './auto-refresh';
import { ReportForm } from './report-form';
import { SendEmailForm } from './send-email-form';

export default async function HomePage() {
  // The outbox changes while the server runs, so the page is rendered on every request.
  await connection();
  const [emails, contacts, reports] = await Promise.all([listEmails(), listContacts(), listReports()]);
  // `npm run example:cloud-tasks` sets TASKS_BACKEND; without it, tasks run on the in-process backend.
  const onCloudTasks = process.env.TASKS_BACKEND === 'cloud-tasks';

  return (
    <main>
      <h1>next-generic-tasks example</h1>
      <p>
        The form below enqueues the <code>send-email</code> task from a server action. The task runs in the background
        {onCloudTasks
          ? ' on Cloud Tasks, which calls its endpoint back with an OIDC token,'
          : ' on the in-process backend'}{' '}
        and writes the email to the outbox, which this page shows.
      </p>
      <SendEmailForm />

      <h2>Outbox ({emails.length})</h2>
      <AutoRefresh intervalMs={1000} />
      {emails.length === 0 && <p className="meta">No email yet.</p>}
      <div data-testid="outbox">
        {emails.map((email) => (
          <article key={email.id} className="email" data-testid="outbox-email">
            <strong>{email.subject}</strong>
            <div className="meta">
              to {email.recipients.join(', ')} · {email.delivery === 'smtp' ? 'sent over SMTP' : 'in the outbox'} ·{' '}
              {email.sentAt} · task {email.id}
            </div>
            <pre>{email.content}</pre>
          </article>
        ))}
      </div>

      <h2>Retries</h2>
      <p>
        The <code>flaky-report</code> task counts the emails and contacts, and fails its first runs on purpose.{' '}
        {onCloudTasks
          ? 'Cloud Tasks retries it, with a backoff, until it succeeds.'
          : 'The in-process backend runs each task once, so the report stays failed; Cloud Tasks would retry it.'}
      </p>
      <ReportForm />
      {onCloudTasks && (
        <p className="meta">
          The execution count stays 0: Cloud Tasks does not count attempts that got a 5xx response, such as these failed
          runs.
        </p>
      )}
      <div data-testid="reports">
        {reports.map((report) => (
          <article key={report.id} className="email" data-testid="report" data-task-id={report.id}>
            <strong>
              {report.summary === undefined
                ? `Not built yet after ${report.runs.length} run(s)`
                : `${report.summary.emails} email(s), ${report.summary.contacts} contact(s)`}
            </strong>
            <ol className="meta">
              {report.runs.map((run) => (
                <li key={run.startedAt}>
                  {run.outcome} at {run.startedAt} · attempt {run.attempt}
                  {run.queueName === undefined
                    ? ''
                    : ` · queue ${run.queueName}, execution count ${run.executionCount}`}
                </li>
              ))}
            </ol>
            <div className="meta">task {report.id}</div>
          </article>
        ))}
      </div>

      <h2>Contacts ({contacts.length})</h2>
      <p className="meta">
        Imported by the <code>import-contacts</code> task, which you call over HTTP (see the README).
      </p>
      <ul>
        {contacts.map((contact) => (
          <li key={contact.email}>
            {contact.name} &lt;{contact.email}&gt;
          </li>
        ))}
      </ul>
    </main>
  );
}
