// Next.js calls register() once per server start, before the first request.
export async function register() {
  // Tasks run on the Node.js runtime only; the Edge runtime has no file system or SMTP.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./tasks');
  }
}
