// The web app's session through the gateway, over real HTTP: the refresh token lives only in an
// HttpOnly cookie scoped to the refresh and logout paths, a reload signs back in through it,
// logout ends it, and requests another site makes a browser send are refused. Also the email
// verification link, read from the real mail sink: opening it changes nothing, confirming does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProblem, openAccount, uniqueName, type Account } from '../support/callers.ts';
import { call, eventually, startShop, type Reply, type Shop } from '../support/shop.ts';

let shop: Shop;
let origin: string;
beforeAll(async () => {
  shop = await startShop();
  origin = new URL(shop.gateway).origin;
});
afterAll(() => shop?.stop());

/** What a same-origin fetch() from the shop's own page sends. */
const fromOwnPage = () => ({ 'x-minishop-client': 'web', origin, 'sec-fetch-site': 'same-origin' });

interface Cookie {
  name: string;
  value: string;
  attributes: Map<string, string>;
}

function setCookies(res: Reply): Cookie[] {
  return res.headers.getSetCookie().map((line) => {
    const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes = new Map(
      rest.map((attr) => {
        const [key = '', value = ''] = attr.split('=');
        return [key.toLowerCase(), value] as const;
      }),
    );
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
  });
}

/** The refresh cookie the answer sets, checked to be the same for both of its paths. */
function refreshCookieOf(res: Reply): string {
  const cookies = setCookies(res);
  expect(cookies.map((c) => [c.name, c.attributes.get('path')])).toEqual([
    ['minishop_refresh', '/auth/refresh'],
    ['minishop_refresh', '/auth/logout'],
  ]);
  expect(cookies[0]!.value).toBe(cookies[1]!.value);
  return cookies[0]!.value;
}

async function webLogin(account: Account): Promise<{ res: Reply; cookie: string }> {
  const res = await shop.api('POST', '/auth/login', {
    headers: fromOwnPage(),
    body: { username: account.username, password: account.password },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { res, cookie: refreshCookieOf(res) };
}

const webRefresh = (cookie: string | undefined, headers: Record<string, string> = fromOwnPage()) =>
  shop.api('POST', '/auth/refresh', {
    headers: { ...headers, ...(cookie ? { cookie: `minishop_refresh=${cookie}` } : {}) },
  });

describe('a browser session', () => {
  it('keeps the refresh token out of the page: an HttpOnly, SameSite=Strict cookie on two paths', async () => {
    const account = await openAccount(shop, 'browser');
    const { res, cookie } = await webLogin(account);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(res.headers.get('cache-control')).toBe('no-store');
    for (const c of setCookies(res)) {
      expect(c.attributes.has('httponly')).toBe(true);
      expect(c.attributes.get('samesite')).toBe('Strict');
      expect(Number(c.attributes.get('max-age'))).toBeGreaterThan(86_400);
      // Plain http here: a Secure cookie would never come back.
      expect(c.attributes.has('secure')).toBe(false);
    }
    expect(cookie.length).toBeGreaterThan(20);
    const me = await shop.api('GET', '/auth/me', { token: res.body.access_token });
    expect(me.body.id).toBe(account.id);
  });

  it('signs back in after a reload through the cookie alone, rotating it', async () => {
    const account = await openAccount(shop, 'reload');
    const { cookie } = await webLogin(account);
    const reloaded = await webRefresh(cookie);
    expect(reloaded.status).toBe(200);
    expect(reloaded.body.refresh_token).toBeUndefined();
    const rotated = refreshCookieOf(reloaded);
    expect(rotated).not.toBe(cookie);
    const me = await shop.api('GET', '/auth/me', { token: reloaded.body.access_token });
    expect(me.body.username).toBe(account.username);
    // The old cookie was used up; showing it again ends the session (reuse detection).
    expect((await webRefresh(cookie)).status).toBe(401);
    expect((await webRefresh(rotated)).status).toBe(401);
  });

  it('answers a refresh without a cookie with 401 and drops a cookie that no longer works', async () => {
    const none = await webRefresh(undefined);
    expect(isProblem(none, 401)).toBe(true);
    const dead = await webRefresh('bm90IGEgcmVhbCByZWZyZXNoIHRva2Vu');
    expect(isProblem(dead, 401)).toBe(true);
    expect(setCookies(dead).map((c) => [c.value, c.attributes.get('max-age')])).toEqual([
      ['', '0'],
      ['', '0'],
    ]);
  });

  it('ends on logout: the cookie is cleared and can no longer refresh', async () => {
    const account = await openAccount(shop, 'leaver');
    const { res, cookie } = await webLogin(account);
    const out = await shop.api('POST', '/auth/logout', {
      token: res.body.access_token,
      headers: { ...fromOwnPage(), cookie: `minishop_refresh=${cookie}` },
    });
    expect(out.status).toBe(204);
    expect(
      setCookies(out).map((c) => [c.attributes.get('path'), c.value, c.attributes.get('max-age')]),
    ).toEqual([
      ['/auth/refresh', '', '0'],
      ['/auth/logout', '', '0'],
    ]);
    expect((await webRefresh(cookie)).status).toBe(401);
  });

  it('is marked Secure when the original request came over https through a trusted proxy', async () => {
    const account = await openAccount(shop, 'secure');
    // The gateway trusts no proxy in this stack: a client claiming https is not believed.
    const claimed = await shop.api('POST', '/auth/login', {
      headers: { 'x-minishop-client': 'web', 'x-forwarded-proto': 'https' },
      body: { username: account.username, password: account.password },
    });
    expect(setCookies(claimed).some((c) => c.attributes.has('secure'))).toBe(false);
    // Auth believes its trusted proxy (the gateway, on loopback) about the scheme.
    const viaProxy = await call(shop.stack.urls.services.auth, 'POST', '/auth/login', {
      headers: { 'x-minishop-client': 'web', 'x-forwarded-proto': 'https' },
      body: { username: account.username, password: account.password },
    });
    expect(viaProxy.status).toBe(200);
    expect(setCookies(viaProxy).every((c) => c.attributes.has('secure'))).toBe(true);
  });

  it('leaves API clients as they were: refresh tokens in bodies, no cookies', async () => {
    const account = await openAccount(shop, 'api');
    const refreshed = await shop.api('POST', '/auth/refresh', {
      body: { refresh_token: account.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toEqual(expect.any(String));
    expect(refreshed.headers.getSetCookie()).toEqual([]);
    // Without the web header a cookie is no credential at all.
    const cookieOnly = await shop.api('POST', '/auth/refresh', {
      headers: { cookie: `minishop_refresh=${refreshed.body.refresh_token}` },
    });
    expect(isProblem(cookieOnly, 422)).toBe(true);
  });
});

describe('cross-site requests against the cookie routes', () => {
  const CROSS_SITE: Array<[string, () => Record<string, string>]> = [
    ['Sec-Fetch-Site: cross-site', () => ({ 'sec-fetch-site': 'cross-site' })],
    ['Sec-Fetch-Site: same-site', () => ({ 'sec-fetch-site': 'same-site' })],
    ['another Origin', () => ({ origin: 'https://evil.example.test' })],
    ['Origin: null (a sandboxed frame)', () => ({ origin: 'null' })],
    ['the same host on another scheme', () => ({ origin: origin.replace('http:', 'https:') })],
  ];

  it.each(CROSS_SITE)(
    'refuses a refresh with %s (403), leaving the session usable',
    async (_name, headers) => {
      const account = await openAccount(shop, 'csrf');
      const { cookie } = await webLogin(account);
      const forged = await webRefresh(cookie, { 'x-minishop-client': 'web', ...headers() });
      expect(isProblem(forged, 403), JSON.stringify(forged.body)).toBe(true);
      expect(forged.headers.getSetCookie()).toEqual([]);
      expect((await webRefresh(cookie)).status).toBe(200);
    },
  );

  it.each(CROSS_SITE)('refuses a logout and a login with %s', async (_name, headers) => {
    const account = await openAccount(shop, 'csrf');
    const { res, cookie } = await webLogin(account);
    const logout = await shop.api('POST', '/auth/logout', {
      token: res.body.access_token,
      headers: { 'x-minishop-client': 'web', cookie: `minishop_refresh=${cookie}`, ...headers() },
    });
    expect(isProblem(logout, 403)).toBe(true);
    expect((await webRefresh(cookie)).status).toBe(200);
    const login = await shop.api('POST', '/auth/login', {
      headers: { 'x-minishop-client': 'web', ...headers() },
      body: { username: account.username, password: account.password },
    });
    expect(isProblem(login, 403)).toBe(true);
    expect(login.headers.getSetCookie()).toEqual([]);
  });

  it('is not granted by CORS to other origins, and never with credentials', async () => {
    const preflight = await shop.api('OPTIONS', '/auth/refresh', {
      headers: {
        origin: 'https://evil.example.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-minishop-client',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('email verification', () => {
  interface Mail {
    ID: string;
    Text: string;
  }
  async function verificationLink(email: string): Promise<URL> {
    const [message] = await eventually(async () => {
      const found = await shop.mailTo(email);
      if (found.length === 0) throw new Error(`no mail to ${email} yet`);
      return found;
    });
    const mail = (await call<Mail>(shop.stack.urls.mailUi, 'GET', `/api/v1/message/${message!.ID}`)).body;
    const link = /https?:\/\/\S+\/verify-email\?token=[\w-]+/.exec(mail.Text)?.[0];
    expect(link, mail.Text).toBeDefined();
    return new URL(link!);
  }

  it('links to the web app’s page; opening the link changes nothing, posting its token verifies', async () => {
    const username = uniqueName('verify');
    const email = `${username}@example.test`;
    const reg = await shop.api('POST', '/auth/register', {
      body: { username, email, password: 'a long enough password' },
    });
    expect(reg.status).toBe(201);
    const link = await verificationLink(email);
    expect(link.pathname).toBe('/verify-email');
    const token = link.searchParams.get('token')!;
    const login = await shop.api('POST', '/auth/login', {
      body: { username, password: 'a long enough password' },
    });
    const me = () => shop.api('GET', '/auth/me', { token: login.body.access_token });

    // What a mail scanner does: follow the link, and the older API form of it.
    await fetch(new URL(`${link.pathname}${link.search}`, shop.gateway));
    const old = await fetch(new URL(`/auth/verify-email?token=${token}`, shop.gateway), {
      redirect: 'manual',
    });
    expect(old.status).toBe(303);
    expect(old.headers.get('location')).toBe(`/verify-email?token=${token}`);
    expect((await me()).body.email_verified).toBe(false);

    const confirmed = await shop.api('POST', '/auth/verify-email', { body: { token } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ username, email_verified: true });
    await eventually(async () => expect((await me()).body.email_verified).toBe(true));
  });

  it('refuses an unknown token with a 400 problem', async () => {
    const res = await shop.api('POST', '/auth/verify-email', { body: { token: 'not-a-real-token' } });
    expect(isProblem(res, 400)).toBe(true);
  });
});
