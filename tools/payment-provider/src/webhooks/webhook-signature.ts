// The Stripe-Signature header: a timestamp and an HMAC-SHA256 of "<timestamp>.<payload>" keyed
// with the endpoint's signing secret, which receivers check with the official SDKs.
import { createHmac } from 'node:crypto';

export function signatureHeader(payload: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret)
    .update(`${timestampSeconds}.${payload}`, 'utf8')
    .digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
