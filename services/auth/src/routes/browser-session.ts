// Browser sessions. A web client says so with `X-Minishop-Client: web`; its refresh token then
// travels only in an HttpOnly cookie scoped to the refresh and logout paths, so no script in the
// page can read a long-lived credential. Because a browser attaches that cookie by itself, the
// cookie routes also refuse requests that another site made the browser send (docs/auth.md).
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden } from '@minishop/kit/errors';

export const WEB_CLIENT_HEADER = 'x-minishop-client';
export const REFRESH_COOKIE = 'minishop_refresh';
/** One cookie per path: the browser sends it to these two routes and nowhere else. */
const COOKIE_PATHS = ['/auth/refresh', '/auth/logout'] as const;

export function isWebClient(request: FastifyRequest): boolean {
  return request.headers[WEB_CLIENT_HEADER] === 'web';
}

export function refreshCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  const value = parseCookie(header)[REFRESH_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

function setCookies(reply: FastifyReply, value: string, maxAgeSeconds: number): void {
  // The original request's scheme, as the gateway reports it (Auth trusts only its proxies).
  const secure = reply.request.protocol === 'https';
  reply.header(
    'set-cookie',
    COOKIE_PATHS.map((path) =>
      stringifySetCookie({
        name: REFRESH_COOKIE,
        value,
        path,
        maxAge: maxAgeSeconds,
        httpOnly: true,
        sameSite: 'strict',
        secure,
      }),
    ),
  );
}

export function setRefreshCookies(reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  setCookies(reply, token, maxAgeSeconds);
}

export function clearRefreshCookies(reply: FastifyReply): void {
  setCookies(reply, '', 0);
}

/**
 * Refuses a cookie-mode request that another site made the browser send. The custom header
 * already rules out plain forms and simple cross-site requests (a cross-origin request with it
 * needs a CORS preflight that the gateway grants only to its own origins); Fetch Metadata and
 * Origin, which pages cannot forge, rule out the rest.
 */
export async function requireSameOrigin(request: FastifyRequest): Promise<void> {
  if (!isWebClient(request)) return;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    throw new Forbidden('a browser session can only be used from the shop’s own pages');
  }
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
    throw new Forbidden('a browser session can only be used from the shop’s own pages');
  }
}
