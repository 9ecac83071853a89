// HMAC-SHA256 signatures of webhook bodies, in the `sha256=<hex>` form many providers use.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Computes the `X-Webhook-Signature` value for a raw body. */
export function signWebhookBody(body: string | Uint8Array, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Checks `X-Webhook-Signature` against the raw request body. Rejects every request while
 * EXAMPLE_WEBHOOK_SECRET is unset, so a missing secret never opens the endpoint.
 */
export async function verifyWebhookSignature(request: Request): Promise<boolean> {
  const secret = process.env.EXAMPLE_WEBHOOK_SECRET;
  const signature = request.headers.get('x-webhook-signature');
  if (!secret || signature === null) return false;

  const expected = Buffer.from(signWebhookBody(new Uint8Array(await request.arrayBuffer()), secret));
  const actual = Buffer.from(signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
