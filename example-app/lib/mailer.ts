// Sends email over SMTP with nodemailer when SMTP_URL is set (for example
// smtp://user:password@localhost:2525); otherwise the email goes to the file outbox only.
import nodemailer from 'nodemailer';

/** Sends an email over SMTP. Returns false when SMTP_URL is not set, so nothing was sent. */
export async function sendOverSmtp(email: {
  subject: string;
  content: string;
  recipients: string[];
}): Promise<boolean> {
  const url = process.env.SMTP_URL;
  if (url === undefined || url === '') return false;

  const transport = nodemailer.createTransport(url);
  await transport.sendMail({
    from: process.env.SMTP_FROM ?? 'tasks@example.com',
    to: email.recipients,
    subject: email.subject,
    text: email.content,
  });
  return true;
}
