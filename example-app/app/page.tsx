import { connection } from 'next/server';

import { listContacts, listEmails } from '../lib/store';
import { AutoRefresh } from './auto-refresh';
import { SendEmailForm } from './send-email-form';

export default async function HomePage() {
  // The outbox changes while the server runs, so the page is rendered on every request.
  await connection();
  const [emails, contacts] = await Promise.all([listEmails(), listContacts()]);

  return (
    <main>
      <h1>next-generic-tasks example</h1>
      <p>
        The form below enqueues the <code>send-email</code> task from a server action. The task runs in the background
        on the in-process backend and writes the email to the outbox, which this page shows.
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
