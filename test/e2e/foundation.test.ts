// The foundation through the gateway, with every service running as its own process: the
// README walkthrough, signing in every supported way, refresh-token rotation and reuse
// detection, logout, and what the gateway itself promises (docs, request ids, body
// limit, CORS), and health and metrics on the management ports only.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formBody, isProblem, openAccount, uniqueName } from '../support/callers.ts';
import { call, startShop, type Shop } from '../support/shop.ts';

const ALLOWED_ORIGIN = 'https://shop.example.test';

let shop: Shop;
beforeAll(async () => {
  shop = await startShop({
    componentEnv: { gateway: { CORS_ORIGINS: `${ALLOWED_ORIGIN}, http://localhost:5173` } },
  });
});
afterAll(() => shop?.stop());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const prices = (items: { price: string }[]) => items.map((p) => p.price);

describe('the README walkthrough', () => {
  it('registers, signs in, reads "me", browses and searches the catalog, and sees the admin’s new product', async () => {
    const word = `w${randomUUID().slice(0, 8)}`;
    for (const [name, price] of [
      [`${word} pour-over kettle`, '30.00'],
      [`${word} coffee grinder`, '10.00'],
      [`${word} coffee scale`, '20.00'],
    ]) {
      await shop.createProduct({ name: name!, price: price! });
    }

    const username = uniqueName('ada');
    const email = `${username}@example.com`;
    const password = 'correct horse battery';
    const registered = await shop.api('POST', '/auth/register', { body: { username, email, password } });
    expect(registered.status).toBe(201);
    expect(registered.body).toEqual({
      id: expect.stringMatching(UUID),
      username,
      email,
      email_verified: false,
      role: 'customer',
      created_at: expect.any(String),
    });

    const login = await shop.api('POST', '/auth/login', { body: { username, password } });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    });
    expect(login.headers.get('cache-control')).toBe('no-store');
    const token = login.body.access_token as string;

    const me = await shop.api('GET', '/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(registered.body);

    const page = await shop.api('GET', '/catalog/products?limit=2');
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(2);
    expect(Number(page.headers.get('x-total-count'))).toBeGreaterThanOrEqual(3);

    const byPrice = await shop.api('GET', `/catalog/products?q=${word}&sort=price`);
    expect(prices(byPrice.body)).toEqual(['10.00', '20.00', '30.00']);
    expect(byPrice.headers.get('x-total-count')).toBe('3');
    const coffee = await shop.api('GET', `/catalog/products?q=${word}%20COFFEE&sort=-price`);
    expect(coffee.body.map((p: { name: string }) => p.name)).toEqual([
      `${word} coffee scale`,
      `${word} coffee grinder`,
    ]);
    const byName = await shop.api('GET', `/catalog/products?q=${word.toUpperCase()}&sort=name`);
    expect(byName.body.map((p: { name: string }) => p.name)).toEqual([
      `${word} coffee grinder`,
      `${word} coffee scale`,
      `${word} pour-over kettle`,
    ]);

    const adminLogin = await shop.api('POST', '/auth/login', {
      body: { username: shop.stack.admin.email, password: shop.stack.admin.password },
    });
    expect(adminLogin.status).toBe(200);
    const admin = adminLogin.body.access_token as string;
    const created = await shop.api('POST', '/catalog/products', {
      token: admin,
      body: {
        name: `Walnut desk tray ${word}`,
        description: 'Oiled walnut, 30 x 20 cm',
        price: '34.50',
        stock: 12,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      name: `Walnut desk tray ${word}`,
      description: 'Oiled walnut, 30 x 20 cm',
      price: '34.50',
      currency: 'USD',
      stock: 12,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });

    const listed = await shop.api('GET', `/catalog/products?q=walnut%20desk%20tray%20${word}`);
    expect(listed.body).toEqual([created.body]);
    expect(listed.headers.get('x-total-count')).toBe('1');
    const newest = await shop.api('GET', '/catalog/products?sort=-created_at&limit=1');
    expect(newest.body[0].id).toBe(created.body.id);
    expect((await shop.api('GET', `/catalog/products/${created.body.id}`)).body).toEqual(created.body);
  });

  it('pages through the catalog without overlap and caps a page at 100', async () => {
    const word = `p${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 5; i++) await shop.createProduct({ name: `Tea tin ${i} ${word}` });
    const first = await shop.api('GET', `/catalog/products?q=${word}&sort=name&limit=3`);
    const second = await shop.api('GET', `/catalog/products?q=${word}&sort=name&limit=3&offset=3`);
    expect(first.headers.get('x-total-count')).toBe('5');
    expect(second.headers.get('x-total-count')).toBe('5');
    expect([...first.body, ...second.body].map((p: { name: string }) => p.name)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `Tea tin ${i} ${word}`),
    );
    const tooMany = await shop.api('GET', '/catalog/products?limit=101');
    expect(tooMany.status).toBe(422);
    expect(isProblem(tooMany)).toBe(true);
    expect((await shop.api('GET', '/catalog/products?limit=100')).status).toBe(200);
  });

  it('accepts a price given as a number and answers it as a two-place string', async () => {
    const res = await shop.api('POST', '/catalog/products', {
      token: await shop.adminToken(),
      body: { name: `Number priced ${randomUUID().slice(0, 8)}`, price: 34.5 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ price: '34.50', stock: 0, description: '' });
  });
});

describe('signing in', () => {
  it('accepts the OAuth2 password form', async () => {
    const account = await openAccount(shop);
    const res = await shop.api(
      'POST',
      '/auth/login',
      formBody({ grant_type: 'password', username: account.username, password: account.password }),
    );
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('bearer');
    const me = await shop.api('GET', '/auth/me', { token: res.body.access_token });
    expect(me.body.username).toBe(account.username);
  });

  it('accepts the email instead of the username, in any letter case', async () => {
    const account = await openAccount(shop);
    for (const username of [account.email, account.email.toUpperCase(), account.username.toUpperCase()]) {
      const res = await shop.api('POST', '/auth/login', { body: { username, password: account.password } });
      expect(res.status, username).toBe(200);
      const me = await shop.api('GET', '/auth/me', { token: res.body.access_token });
      expect(me.body.id).toBe(account.id);
    }
  });

  it('signs the admin in by email with the admin role', async () => {
    const me = await shop.api('GET', '/auth/me', { token: await shop.adminToken() });
    expect(me.body).toMatchObject({ email: shop.stack.admin.email, role: 'admin' });
  });

  it('answers a wrong password and an unknown account the same way', async () => {
    const account = await openAccount(shop);
    const wrong = await shop.api('POST', '/auth/login', {
      body: { username: account.username, password: 'not the password' },
    });
    const unknown = await shop.api('POST', '/auth/login', {
      body: { username: uniqueName('ghost'), password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(isProblem(wrong)).toBe(true);
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('refuses a second account with the same username or email in another case', async () => {
    const account = await openAccount(shop);
    const sameName = await shop.api('POST', '/auth/register', {
      body: {
        username: account.username.toUpperCase(),
        email: `x${account.email}`,
        password: 'long enough pw',
      },
    });
    const sameEmail = await shop.api('POST', '/auth/register', {
      body: { username: uniqueName(), email: account.email.toUpperCase(), password: 'long enough pw' },
    });
    expect(sameName.status).toBe(409);
    expect(sameEmail.status).toBe(409);
  });
});

const refresh = (token: string) => shop.api('POST', '/auth/refresh', { body: { refresh_token: token } });

describe('refresh tokens', () => {
  it('rotate on every use: the new pair works and the used refresh token does not', async () => {
    const account = await openAccount(shop);
    const first = await refresh(account.refreshToken);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.refresh_token).not.toBe(account.refreshToken);
    const me = await shop.api('GET', '/auth/me', { token: first.body.access_token });
    expect(me.body.id).toBe(account.id);

    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
  });

  it('reused after rotation, revoke the whole session but not the user’s other sessions', async () => {
    const account = await openAccount(shop);
    const other = await shop.api('POST', '/auth/login', {
      body: { username: account.username, password: account.password },
    });
    const rotated = await refresh(account.refreshToken);
    expect(rotated.status).toBe(200);

    const replay = await refresh(account.refreshToken);
    expect(replay.status).toBe(401);
    expect(isProblem(replay)).toBe(true);
    // The legitimate holder's newer token belonged to the same family: it is gone too.
    expect((await refresh(rotated.body.refresh_token)).status).toBe(401);
    expect((await refresh(other.body.refresh_token)).status).toBe(200);
  });

  it('refuses a made-up refresh token', async () => {
    const res = await refresh('bm90IGEgcmVhbCByZWZyZXNoIHRva2Vu');
    expect(res.status).toBe(401);
    expect(isProblem(res)).toBe(true);
  });
});

describe('logout', () => {
  it('ends the session: its refresh token stops working, other sessions go on', async () => {
    const account = await openAccount(shop);
    const other = await shop.api('POST', '/auth/login', {
      body: { username: account.username, password: account.password },
    });
    const out = await shop.api('POST', '/auth/logout', {
      token: account.token,
      body: { refresh_token: account.refreshToken },
    });
    expect(out.status).toBe(204);
    expect((await refresh(account.refreshToken)).status).toBe(401);
    expect((await refresh(other.body.refresh_token)).status).toBe(200);
  });

  it('accepts a bare POST, and cannot end someone else’s session', async () => {
    const account = await openAccount(shop);
    const stranger = await openAccount(shop);
    expect((await shop.api('POST', '/auth/logout', { token: account.token })).status).toBe(204);
    const theirs = await shop.api('POST', '/auth/logout', {
      token: account.token,
      body: { refresh_token: stranger.refreshToken },
    });
    expect(theirs.status).toBe(204);
    expect((await refresh(stranger.refreshToken)).status).toBe(200);
  });

  it('needs a signed-in user', async () => {
    const res = await shop.api('POST', '/auth/logout', { body: {} });
    expect(res.status).toBe(401);
    expect(isProblem(res)).toBe(true);
  });
});

describe('the gateway', () => {
  it('serves the merged API documentation with the paths of every service', async () => {
    const res = await shop.api('GET', '/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(res.body.paths);
    const expected = {
      auth: ['/auth/register', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/me'],
      catalog: ['/catalog/products', '/catalog/products/{id}'],
      cart: ['/cart', '/cart/items', '/cart/items/{product_id}'],
      orders: ['/orders', '/orders/{id}', '/orders/{id}/cancel'],
      payments: ['/payments', '/payments/{id}', '/payments/webhooks/provider'],
      shipping: ['/shipping', '/shipping/{id}'],
      notifications: ['/notifications'],
    };
    for (const [service, servicePaths] of Object.entries(expected)) {
      expect(paths, service).toEqual(expect.arrayContaining(servicePaths));
    }
    expect(res.body.info.description).not.toMatch(/not reachable/i);
    expect(res.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const ui = await shop.api('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
  });

  it('answers /healthz, /readyz and /metrics on every management port, never through the gateway', async () => {
    for (const [service, management] of Object.entries(shop.stack.urls.management)) {
      const health = await call(management, 'GET', '/healthz');
      expect(health.status, service).toBe(200);
      expect(health.body).toEqual({ status: 'ok', service });
      const ready = await call(management, 'GET', '/readyz');
      expect(ready.status, service).toBe(200);
      expect(ready.body.status).toBe('ready');
      expect(
        Object.keys(ready.body.checks).every((name) => ['db', 'redis'].includes(name)),
        service,
      ).toBe(true);
      const metrics = await call(management, 'GET', '/metrics');
      expect(metrics.body, service).toContain('minishop_http_request_duration_seconds');
      // What the service depends on is watched too: its PostgreSQL pool, its Redis client.
      if ('db' in ready.body.checks)
        expect(metrics.body, service).toMatch(/^minishop_db_pool_connections\{/m);
      if ('redis' in ready.body.checks)
        expect(metrics.body, service).toMatch(/^minishop_redis_connected\{.*\} 1$/m);
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await shop.api('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const direct = await call(shop.stack.urls.services.catalog, 'GET', path);
      expect(direct.status, `catalog ${path}`).toBe(404);
    }
  });

  it('hands a given request id to the service and returns it, also inside a problem', async () => {
    const id = `e2e-${randomUUID()}`;
    const ok = await shop.api('GET', '/catalog/products?limit=1', { headers: { 'x-request-id': id } });
    expect(ok.headers.get('x-request-id')).toBe(id);

    // The 404 below is written by Catalog: it saw the id the gateway forwarded.
    const missing = await shop.api('GET', `/catalog/products/${randomUUID()}`, {
      headers: { 'x-request-id': id },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toMatch(/product/);
    expect(missing.headers.get('x-request-id')).toBe(id);
    expect(missing.body.request_id).toBe(id);

    // And the 401 below by the gateway itself.
    const anonymous = await shop.api('GET', '/orders', { headers: { 'x-request-id': id } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.request_id).toBe(id);
  });

  it('makes up a request id when none or an unusable one is given', async () => {
    const none = await shop.api('GET', '/orders');
    expect(none.body.request_id).toMatch(UUID);
    expect(none.headers.get('x-request-id')).toBe(none.body.request_id);
    const unusable = await shop.api('GET', '/orders', { headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(unusable.body.request_id).toMatch(UUID);
    const tooLong = await shop.api('GET', '/orders', { headers: { 'x-request-id': 'a'.repeat(200) } });
    expect(tooLong.body.request_id).toMatch(UUID);
  });

  it('refuses a body over 1 MiB with 413 and lets one of exactly 1 MiB through', async () => {
    const overLimit = 'x'.repeat(1024 * 1024 + 1);
    const open = await shop.api('POST', '/auth/register', {
      raw: overLimit,
      headers: { 'content-type': 'application/json' },
    });
    expect(open.status).toBe(413);
    expect(isProblem(open, 413)).toBe(true);

    const account = await openAccount(shop);
    const signedIn = await shop.api('POST', '/cart/items', {
      token: account.token,
      raw: overLimit,
      headers: { 'content-type': 'application/json' },
    });
    expect(signedIn.status).toBe(413);
    expect(isProblem(signedIn, 413)).toBe(true);

    const filler = 'y'.repeat(1024 * 1024 - JSON.stringify({ username: '' }).length);
    const exact = JSON.stringify({ username: filler });
    expect(Buffer.byteLength(exact)).toBe(1024 * 1024);
    const atLimit = await shop.api('POST', '/auth/register', {
      raw: exact,
      headers: { 'content-type': 'application/json' },
    });
    expect(atLimit.status).toBe(422);
  });

  it('lets an allowed origin call from a browser and no other', async () => {
    const preflight = await fetch(`${shop.gateway}/cart/items`, {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');

    const simple = await fetch(`${shop.gateway}/catalog/products?limit=1`, {
      headers: { origin: ALLOWED_ORIGIN },
    });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(simple.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-total-count');

    for (const origin of ['https://evil.example', 'https://shop.example.test.evil.example', 'null']) {
      const foreign = await fetch(`${shop.gateway}/cart/items`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(foreign.headers.get('access-control-allow-origin'), origin).toBeNull();
      const read = await fetch(`${shop.gateway}/catalog/products?limit=1`, { headers: { origin } });
      expect(read.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('answers an unknown path with a 404 problem', async () => {
    const res = await shop.api('GET', '/no-such-thing');
    expect(res.status).toBe(404);
    expect(isProblem(res, 404)).toBe(true);
  });
});
