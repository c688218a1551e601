// Client credentials for services: the secret is checked in constant time and the token
// carries the requested scopes, which must be a subset of those the client was given.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Forbidden, Unauthorized } from '@minishop/kit/errors';
import { serviceAccessToken } from './tokens.ts';
import type { AuthContext } from './context.ts';

export interface ServiceToken {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function clientCredentialsToken(
  ctx: AuthContext,
  input: { clientId: string; clientSecret: string; scope?: string },
): ServiceToken {
  const client = ctx.clients.find((c) => c.client_id === input.clientId);
  // Compare against something even for an unknown client, so timing does not reveal client ids.
  const expected = digest(client?.client_secret ?? `unknown:${input.clientId}`);
  const secretOk = timingSafeEqual(expected, digest(input.clientSecret));
  if (!client || !secretOk) throw new Unauthorized('invalid client credentials');
  const requested = input.scope === undefined ? client.scopes : input.scope.split(' ').filter(Boolean);
  const notAllowed = requested.filter((s) => !client.scopes.includes(s));
  if (notAllowed.length > 0)
    throw new Forbidden(`scope not allowed for this client: ${notAllowed.join(' ')}`);
  const scopes = [...new Set(requested)];
  return {
    access_token: serviceAccessToken(ctx.keys, ctx.tokens, client.client_id, scopes),
    token_type: 'bearer',
    expires_in: ctx.tokens.accessTtlSeconds,
    scope: scopes.join(' '),
  };
}
