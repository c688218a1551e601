// The kinds of caller the end-to-end security tests speak as: nobody, a customer with a full
// session (access and refresh token), the admin, and a service holding a client-credentials token.
import { randomUUID } from 'node:crypto';
import { call, type Reply, type Shop } from './shop.ts';

export interface Account {
  id: string;
  username: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** A unique account name usable as a username (letters, digits and _ only). */
export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** Registers a new customer and signs in, keeping both tokens. */
export async function openAccount(shop: Shop, prefix = 'user'): Promise<Account> {
  const username = uniqueName(prefix);
  const email = `${username}@example.test`;
  const password = 'a long enough password';
  const reg = await shop.api('POST', '/auth/register', { body: { username, email, password } });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await shop.api('POST', '/auth/login', { body: { username, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return {
    id: reg.body.id,
    username,
    email,
    password,
    token: login.body.access_token,
    refreshToken: login.body.refresh_token,
  };
}

/** Client ids of the stack's service clients (see tools/launcher/src/components.ts for their scopes). */
export type ServiceClientId = 'orders' | 'payments' | 'shipping' | 'cart';

/** Asks Auth itself for a client-credentials token (POST /auth/token), as a service does. */
export function tokenRequest(shop: Shop, body: Record<string, string>): Promise<Reply> {
  return call(shop.stack.urls.services.auth, 'POST', '/auth/token', { body });
}

/** A client-credentials token, obtained the way a service gets one: POST /auth/token at Auth. */
export async function serviceToken(shop: Shop, clientId: ServiceClientId): Promise<string> {
  const secret = shop.stack.secrets.serviceClients[clientId];
  if (!secret) throw new Error(`the stack has no service client ${clientId}`);
  const res = await tokenRequest(shop, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
  });
  if (res.status !== 200) throw new Error(`service token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

/** Sends a body as application/x-www-form-urlencoded, the way an OAuth2 client does. */
export function formBody(fields: Record<string, string>): {
  raw: string;
  headers: Record<string, string>;
} {
  return {
    raw: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  };
}

/** True when a reply is an RFC 9457 problem carrying the request id. */
export function isProblem(res: Reply, status?: number): boolean {
  return (
    (res.headers.get('content-type') ?? '').startsWith('application/problem+json') &&
    typeof res.body === 'object' &&
    res.body !== null &&
    typeof res.body.title === 'string' &&
    res.body.status === res.status &&
    typeof res.body.request_id === 'string' &&
    res.body.request_id.length > 0 &&
    !('stack' in res.body) &&
    (status === undefined || res.status === status)
  );
}
