// Secret-key authentication as Stripe does it: `Authorization: Bearer <key>` (or the key as the
// Basic-auth user name), answered with Stripe's 401 error otherwise.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function presentedKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, credentials] = authorization.split(' ', 2);
  if (!credentials) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return credentials.trim();
  if (scheme?.toLowerCase() === 'basic')
    return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

export function apiKeyAuth(secretKey: string) {
  const expected = digest(secretKey);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const key = presentedKey(req.headers.authorization);
    if (key && timingSafeEqual(digest(key), expected)) return;
    const message = key
      ? `Invalid API Key provided: ${mask(key)}`
      : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="Stripe"')
      .send({ error: { type: 'invalid_request_error', message } });
  };
}

function mask(key: string): string {
  return key.length > 12
    ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`
    : '*'.repeat(key.length);
}
