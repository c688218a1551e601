// Hostile input against every service, through the gateway (internal routes at their service): forged, tampered and misused access
// tokens; bodies that smuggle fields (a role, a stock level, a price); malformed JSON; ids that
// are not UUIDs; SQL-looking and otherwise awkward text, which must be stored and searched as
// plain data. Whatever arrives, the answer is a 4xx problem, never a 5xx.
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProblem, openAccount, tokenRequest, uniqueName, type Account } from '../support/callers.ts';
import {
  decodeJwt,
  ed25519Signed,
  hmacSigned,
  reheader,
  stackSigningKey,
  strangerSigned,
  tamper,
  unsigned,
  type SigningKey,
} from '../support/forged-tokens.ts';
import { rawRequest } from '../support/raw-http.ts';
import {
  ROUTES,
  allowedCaller,
  baseOf,
  fillPath,
  methodOf,
  prepareFixtures,
  send,
  type Fixtures,
} from '../support/routes.ts';
import { ADDRESS, call, startShop, type Reply, type Shop } from '../support/shop.ts';

let shop: Shop;
let f: Fixtures;
let customer: Account;
let key: SigningKey;
let jwk: { kid: string; x: string; [k: string]: unknown };
beforeAll(async () => {
  shop = await startShop();
  f = await prepareFixtures(shop);
  customer = await openAccount(shop, 'target');
  key = await stackSigningKey(shop.stack.databaseUrls.auth!);
  const jwks = await shop.api('GET', '/auth/.well-known/jwks.json');
  jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === key.kid);
});
afterAll(() => shop?.stop());

const now = () => Math.floor(Date.now() / 1000);
/** The customer's real claims, freshly dated. */
const claims = (changes: Record<string, unknown> = {}) => ({
  ...decodeJwt(customer.token).payload,
  iat: now(),
  exp: now() + 600,
  ...changes,
});
const without = (name: string) => {
  const c: Record<string, unknown> = claims();
  delete c[name];
  return c;
};

function expectNo5xx(answers: Array<{ status: number }>, labels: string[]): void {
  const failures = answers.flatMap((a, i) => (a.status >= 500 ? [`${labels[i]} → ${a.status}`] : []));
  expect(failures).toEqual([]);
}

describe('access tokens that must not work', () => {
  const TARGETS = ['/auth/me', '/cart', '/orders', '/notifications', `/payments/${randomUUID()}`];

  const forgeries: Array<[string, () => string]> = [
    ['alg none, unsigned', () => unsigned(claims())],
    ['alg "NONE", unsigned', () => unsigned(claims(), 'NONE')],
    [
      'alg none over the real payload and signature',
      () => reheader(customer.token, { alg: 'none', typ: 'JWT' }),
    ],
    [
      'HS256 keyed with the public key bytes',
      () => hmacSigned(claims(), Buffer.from(jwk.x, 'base64url'), jwk.kid),
    ],
    ['HS256 keyed with the JWK x text', () => hmacSigned(claims(), jwk.x, jwk.kid)],
    [
      'HS256 keyed with the public key as PEM',
      () =>
        hmacSigned(
          claims(),
          createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }),
          jwk.kid,
        ),
    ],
    ['HS256 keyed with the JWK as JSON', () => hmacSigned(claims(), JSON.stringify(jwk), jwk.kid)],
    ['tampered payload: role admin', () => tamper(customer.token, { role: 'admin' })],
    ['tampered payload: another user', () => tamper(customer.token, { sub: f.customer.id })],
    ['tampered payload: expired', () => tamper(customer.token, { exp: now() - 3600 })],
    ['tampered payload: another issuer', () => tamper(customer.token, { iss: 'someone-else' })],
    ['tampered payload: another audience', () => tamper(customer.token, { aud: 'another-api' })],
    [
      'tampered payload: service scopes',
      () => tamper(customer.token, { role: 'service', scope: 'notify:send' }),
    ],
    ['signature removed', () => `${customer.token.split('.').slice(0, 2).join('.')}.`],
    ['signed by another key pair under the shop’s key id', () => strangerSigned(claims(), jwk.kid)],
    ['signed by another key pair under its own key id', () => strangerSigned(claims(), randomUUID())],
    [
      'signed by another key pair that it embeds in the header',
      () => {
        const { privateKey, publicKey } = generateKeyPairSync('ed25519');
        const embedded = { ...publicKey.export({ format: 'jwk' }), kid: jwk.kid };
        return ed25519Signed({ alg: 'EdDSA', typ: 'JWT', kid: jwk.kid, jwk: embedded }, claims(), privateKey);
      },
    ],
    ['the refresh token', () => customer.refreshToken],
    ['not a JWT at all', () => 'definitely-not-a-token'],
    ['a JWT of empty segments', () => '..'],
    // Correctly signed with the shop's own key (read from Auth's database), but with wrong claims:
    // these are refused for what they say, not for how they are signed.
    ['signed, expired', () => key.sign(claims({ iat: now() - 3600, exp: now() - 600 }))],
    ['signed, another issuer', () => key.sign(claims({ iss: 'someone-else' }))],
    ['signed, another audience', () => key.sign(claims({ aud: 'another-api' }))],
    ['signed, an audience list without the shop', () => key.sign(claims({ aud: ['another-api', 'more'] }))],
    ['signed, without an expiry', () => key.sign(without('exp'))],
    ['signed, without an issuer', () => key.sign(without('iss'))],
    ['signed, not valid yet', () => key.sign(claims({ nbf: now() + 3600 }))],
    ['signed, not an access token', () => key.sign(claims({ token_use: 'refresh' }))],
    ['signed, an unknown role', () => key.sign(claims({ role: 'superuser' }))],
  ];

  it('accepts a token minted the same way with the right claims (the control)', async () => {
    const res = await shop.api('GET', '/auth/me', { token: key.sign(claims()) });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(customer.id);
  });

  it.each(forgeries)('refuses %s with a 401 problem everywhere', async (_name, forge) => {
    const token = forge();
    const answers = await Promise.all(TARGETS.map((path) => shop.api('GET', path, { token })));
    const summary = Object.fromEntries(TARGETS.map((path, i) => [path, answers[i]!.status]));
    expect(summary).toEqual(Object.fromEntries(TARGETS.map((path) => [path, 401])));
    for (const res of answers) expect(isProblem(res, 401), JSON.stringify(res.body)).toBe(true);
  });

  it('refuses a forged admin token on admin writes, and nothing is created', async () => {
    const name = `Forged ${randomUUID()}`;
    for (const token of [
      tamper(customer.token, { role: 'admin' }),
      unsigned(claims({ role: 'admin' })),
      strangerSigned(claims({ role: 'admin' }), jwk.kid),
    ]) {
      const res = await shop.api('POST', '/catalog/products', { token, body: { name, price: '1.00' } });
      expect(res.status).toBe(401);
    }
    const list = await shop.api('GET', `/catalog/products?q=${encodeURIComponent(name)}`);
    expect(list.body).toEqual([]);
  });

  it('refuses credentials that are not one bearer token', async () => {
    const basic = Buffer.from(`${customer.username}:${customer.password}`).toString('base64');
    for (const authorization of [
      `Basic ${basic}`,
      customer.token,
      `Bearer ${customer.token} ${customer.token}`,
      'Bearer ',
      `Token ${customer.token}`,
    ]) {
      const res = await shop.api('GET', '/auth/me', { headers: { authorization } });
      expect(res.status, authorization.slice(0, 20)).toBe(401);
      expect(isProblem(res, 401)).toBe(true);
    }
  });

  it('is checked again by each service behind the gateway', async () => {
    const services = shop.stack.urls.services;
    const targets: Array<[string, string, string]> = [
      [services.auth, 'GET', '/auth/me'],
      [services.catalog, 'POST', '/catalog/products'],
      [services.cart, 'GET', '/cart'],
      [services.orders, 'GET', '/orders'],
      [services.payments, 'GET', `/payments/${randomUUID()}`],
      [services.shipping, 'GET', `/shipping/${randomUUID()}`],
      [services.notifications, 'GET', '/notifications'],
    ];
    const tokens = [
      unsigned(claims({ role: 'admin' })),
      tamper(customer.token, { role: 'admin' }),
      strangerSigned(claims({ role: 'admin' }), jwk.kid),
      key.sign(claims({ role: 'admin', exp: now() - 600 })),
    ];
    for (const [base, method, path] of targets) {
      for (const token of tokens) {
        const res = await rawRequest(base, method, path, {
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: method === 'POST' ? JSON.stringify({ name: 'Forged', price: '1.00' }) : undefined,
        });
        expect(res.status, `${method} ${path}`).toBe(401);
      }
    }
  });
});

describe('fields a body must not carry', () => {
  const writes = ROUTES.filter((r) => r.body && !r.rawBody);

  it.each(writes.map((r) => [r.route, r] as const))(
    '%s refuses an unknown field with 422',
    async (_name, route) => {
      const caller = allowedCaller(route);
      const body = { ...(await route.body!(f)), smuggled: 'yes' };
      const res = await send(f, route, caller, { body });
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(isProblem(res, 422)).toBe(true);
      expect(res.body.errors).toContainEqual({ field: 'body.smuggled', message: 'unknown field' });
    },
  );

  it('cannot register an admin: the account is not even created', async () => {
    const username = uniqueName('mallory');
    const email = `${username}@example.test`;
    const password = 'a long enough password';
    for (const extra of [{ role: 'admin' }, { email_verified: true }, { id: randomUUID() }]) {
      const res = await shop.api('POST', '/auth/register', { body: { username, email, password, ...extra } });
      expect(res.status).toBe(422);
    }
    const login = await shop.api('POST', '/auth/login', { body: { username, password } });
    expect(login.status).toBe(401);
    const honest = await shop.api('POST', '/auth/register', { body: { username, email, password } });
    expect(honest.status).toBe(201);
    expect(honest.body).toMatchObject({ role: 'customer', email_verified: false });
    const form = await shop.api('POST', '/auth/register', {
      raw: new URLSearchParams({
        username: uniqueName(),
        email: `f${email}`,
        password,
        role: 'admin',
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(form.status).toBeLessThan(500);
  });

  it('cannot set stock or price through the cart, nor choose a product’s id or currency', async () => {
    const product = await shop.createProduct({ stock: 4, price: '8.00' });
    const buyer = await openAccount(shop, 'smuggler');
    for (const extra of [{ stock: 1_000_000 }, { unit_price: '0.01' }, { price: '0.01' }]) {
      const add = await shop.api('POST', '/cart/items', {
        token: buyer.token,
        body: { product_id: product.id, quantity: 1, ...extra },
      });
      expect(add.status, JSON.stringify(extra)).toBe(422);
    }
    const patch = await shop.api('PATCH', `/cart/items/${product.id}`, {
      token: buyer.token,
      body: { quantity: 1, unit_price: '0.01' },
    });
    expect(patch.status).toBe(422);
    expect((await shop.api('GET', '/cart', { token: buyer.token })).body.items).toEqual([]);
    expect(await shop.stockOf(product.id)).toBe(4);

    const admin = await shop.adminToken();
    const chosenId = randomUUID();
    for (const extra of [{ id: chosenId }, { currency: 'EUR' }, { created_at: '2000-01-01T00:00:00Z' }]) {
      const create = await shop.api('POST', '/catalog/products', {
        token: admin,
        body: { name: 'Smuggled', price: '1.00', ...extra },
      });
      expect(create.status, JSON.stringify(extra)).toBe(422);
    }
    expect((await shop.api('GET', `/catalog/products/${chosenId}`)).status).toBe(404);
    const edit = await shop.api('PATCH', `/catalog/products/${product.id}`, {
      token: admin,
      body: { stock: 99, updated_at: '2000-01-01T00:00:00Z' },
    });
    expect(edit.status).toBe(422);
    expect(await shop.stockOf(product.id)).toBe(4);
  });

  it('cannot set an order’s price, owner or status, nor sneak fields into the address', async () => {
    const product = await shop.createProduct({ stock: 3 });
    const buyer = await openAccount(shop, 'smuggler');
    await shop.addToCart(buyer.token, product.id, 1);
    for (const body of [
      { shipping_address: ADDRESS, total_price: '0.01' },
      { shipping_address: ADDRESS, status: 'paid' },
      { shipping_address: ADDRESS, user_id: f.customer.id },
      { shipping_address: ADDRESS, items: [{ product_id: product.id, quantity: 1, unit_price: '0.01' }] },
      { shipping_address: { ...ADDRESS, is_admin: true } },
    ]) {
      const res = await shop.api('POST', '/orders', { token: buyer.token, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await shop.api('GET', '/orders', { token: buyer.token })).body).toEqual([]);
    const pay = await shop.api('POST', '/payments', {
      token: buyer.token,
      body: { order_id: randomUUID(), amount: '0.01' },
    });
    expect(pay.status).toBe(422);
    const reserve = await call(shop.stack.urls.services.catalog, 'POST', '/catalog/reservations', {
      token: f.tokens.orders,
      body: { order_id: randomUUID(), items: [{ product_id: product.id, quantity: 1, unit_price: '0.01' }] },
    });
    expect(reserve.status).toBe(422);
    expect(await shop.stockOf(product.id)).toBe(3);
  });
});

describe('weak passwords', () => {
  it('are refused at registration with a clear 422, through the gateway', async () => {
    for (const password of ['password', '12345678', 'qwerty123']) {
      const username = uniqueName('weak');
      const res = await shop.api('POST', '/auth/register', {
        body: { username, email: `${username}@example.test`, password },
      });
      expect(isProblem(res, 422), `${password}: ${res.status}`).toBe(true);
      expect(res.body.errors).toEqual([
        { field: 'body.password', message: expect.stringContaining('common') },
      ]);
      const login = await shop.api('POST', '/auth/login', { body: { username, password } });
      expect(login.status).toBe(401);
    }
  });
});

describe('malformed JSON', () => {
  const MALFORMED = ['{"a": ', '{', '{"a":1}}', "{'a':1}", '{"a":1,}', 'nul', '{"a":"\\x"}', '\u00ff{}'];
  const jsonRoutes = ROUTES.filter((r) => ['POST', 'PATCH'].includes(methodOf(r)) && !r.rawBody);

  it.each(jsonRoutes.map((r) => [r.route, r] as const))('%s answers 400 problems', async (_name, route) => {
    const caller = allowedCaller(route);
    const answers = await Promise.all(MALFORMED.map((raw) => send(f, route, caller, { raw })));
    const summary = Object.fromEntries(MALFORMED.map((raw, i) => [raw, answers[i]!.status]));
    expect(summary).toEqual(Object.fromEntries(MALFORMED.map((raw) => [raw, 400])));
    for (const res of answers) expect(isProblem(res, 400)).toBe(true);
  });

  it('refuses prototype-pollution keys', async () => {
    const admin = await shop.adminToken();
    for (const raw of [
      '{"name":"x","price":"1.00","__proto__":{"stock":5}}',
      '{"name":"x","price":"1.00","constructor":{"prototype":{"stock":5}}}',
    ]) {
      const res = await shop.api('POST', '/catalog/products', {
        token: admin,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});

describe('ids that are not UUIDs', () => {
  const BAD_IDS = [
    'not-a-uuid',
    '12345',
    '-1',
    'null',
    "1'%20OR%20'1'%3D'1",
    '%27%3B%20DROP%20TABLE%20orders%3B--',
    'ffffffff-ffff-ffff-ffff-fffffffffffg',
    `${randomUUID()}x`,
    `${randomUUID()}%20OR%201%3D1`,
    '%00',
    '%2e%2e',
    '%7B%7D',
  ];
  const idRoutes = ROUTES.filter((r) => r.route.includes('{'));

  it.each(idRoutes.map((r) => [r.route, r] as const))('%s answers 4xx problems', async (_name, route) => {
    const caller = allowedCaller(route);
    const token = f.tokens[caller];
    const body = route.body ? JSON.stringify(await route.body(f)) : undefined;
    const answers = await Promise.all(
      BAD_IDS.map((id) =>
        rawRequest(
          baseOf(shop, route),
          methodOf(route),
          fillPath(route, () => id),
          {
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(body ? { 'content-type': 'application/json' } : {}),
            },
            body,
          },
        ),
      ),
    );
    const wrong = answers.flatMap((res, i) =>
      res.status >= 400 &&
      res.status < 500 &&
      ![401, 403].includes(res.status) &&
      (res.headers['content-type'] ?? '').startsWith('application/problem+json')
        ? []
        : [`${BAD_IDS[i]} → ${res.status} ${res.text.slice(0, 120)}`],
    );
    expect(wrong).toEqual([]);
  });

  it('answers paths the router itself cannot take (over-long, broken escapes) with 4xx problems', async () => {
    const token = f.customer.token;
    const paths = [
      `/orders/${'a'.repeat(300)}`,
      `/catalog/products/${'b'.repeat(300)}`,
      '/cart/items/%ZZ',
      '/orders/%E0%A4%A',
    ];
    const answers = await Promise.all(
      paths.map((path) =>
        rawRequest(shop.gateway, 'GET', path, { headers: { authorization: `Bearer ${token}` } }),
      ),
    );
    const summary = Object.fromEntries(
      paths.map((p, i) => [p.slice(0, 40), `${answers[i]!.status} ${answers[i]!.headers['content-type']}`]),
    );
    const wrong = Object.entries(summary).filter(
      ([, answer]) => !/^4\d\d application\/problem\+json/.test(answer),
    );
    expect(Object.fromEntries(wrong)).toEqual({});
  });
});

describe('SQL-looking text is only data', () => {
  const SQL = [
    "' OR 1=1 --",
    "'; DROP TABLE products; --",
    '" OR ""="',
    '1; SELECT pg_sleep(5); --',
    "') UNION SELECT id, password_hash FROM users --",
    '\\',
  ];

  it('searches for it literally', async () => {
    const queries = [...SQL, '%', '_', '%%', "%' --"];
    const answers = await Promise.all(
      queries.map((q) => shop.api('GET', `/catalog/products?q=${encodeURIComponent(q)}&sort=name`)),
    );
    expectNo5xx(answers, queries);
    for (const [i, res] of answers.entries()) {
      expect(res.status, queries[i]).toBe(200);
      for (const product of res.body as Array<{ name: string; description: string }>) {
        const text = `${product.name} ${product.description}`.toLowerCase();
        expect(text, queries[i]).toContain(queries[i]!.toLowerCase());
      }
    }
    const everything = Number((await shop.api('GET', '/catalog/products')).headers.get('x-total-count'));
    expect(everything).toBeGreaterThan(0);
    const percent = await shop.api('GET', '/catalog/products?q=%25');
    expect(Number(percent.headers.get('x-total-count'))).toBeLessThan(everything);
  });

  it('stores product names as given and finds them again', async () => {
    const admin = await shop.adminToken();
    const tag = randomUUID().slice(0, 8);
    for (const text of [...SQL, '100% cotton_blend', 'Ünïcödé ☕ 咖啡']) {
      const name = `${text} ${tag}`;
      const created = await shop.api('POST', '/catalog/products', {
        token: admin,
        body: { name, description: text, price: '1.00' },
      });
      expect(created.status, text).toBe(201);
      expect(created.body.name).toBe(name);
      const found = await shop.api('GET', `/catalog/products?q=${encodeURIComponent(name)}`);
      expect(
        found.body.map((p: { id: string }) => p.id),
        text,
      ).toEqual([created.body.id]);
    }
  });

  it('signs nobody in with SQL for a username or password', async () => {
    const attempts = [
      { username: `${shop.stack.admin.email}' --`, password: 'x' },
      { username: "admin' --", password: 'x' },
      { username: "' OR '1'='1", password: "' OR '1'='1" },
      { username: "' OR 1=1 LIMIT 1 --", password: 'anything' },
      { username: 'admin', password: "' OR '1'='1" },
    ];
    const answers = await Promise.all(attempts.map((body) => shop.api('POST', '/auth/login', { body })));
    expect(answers.map((a) => a.status)).toEqual(attempts.map(() => 401));
    const register = await shop.api('POST', '/auth/register', {
      body: { username: "x' OR '1'='1", email: 'sql@example.test', password: 'a long enough password' },
    });
    expect(register.status).toBe(422);
    const quoted = `o'brien.${uniqueName()}@example.test`;
    const made = await shop.api('POST', '/auth/register', {
      body: { username: uniqueName('obrien'), email: quoted, password: 'a long enough password' },
    });
    expect(made.status).toBe(201);
    const login = await shop.api('POST', '/auth/login', {
      body: { username: quoted, password: 'a long enough password' },
    });
    expect(login.status).toBe(200);
  });

  it('ships to an address full of SQL exactly as written', async () => {
    const product = await shop.createProduct({ stock: 2 });
    const buyer = await openAccount(shop, 'tables');
    await shop.addToCart(buyer.token, product.id, 1);
    const address = {
      name: "Robert'); DROP TABLE orders; --",
      line1: "1 Main St' OR '1'='1",
      line2: '"; DELETE FROM shipments; --',
      city: '%_\\',
      postal_code: "' --",
      country: 'GB',
    };
    const key = "key'OR'1'='1';--";
    const order = await shop.checkout(buyer.token, { address, key });
    expect(order.status).toBe(201);
    expect(order.body.shipping_address).toEqual(address);
    expect(order.body.status).toBe('paid');
    const again = await shop.api('GET', `/orders/${order.body.id}`, { token: buyer.token });
    expect(again.body.shipping_address).toEqual(address);
    const replay = await shop.checkout(buyer.token, { address, key });
    expect(replay.body.id).toBe(order.body.id);
    const shipment = await shop.api('GET', `/shipping/${order.body.shipment_id}`, { token: buyer.token });
    expect(shipment.status).toBe(200);
  });

  it('reads the delivery log for an SQL-looking recipient as nobody', async () => {
    const admin = await shop.adminToken();
    const answers = await Promise.all(
      ["x' OR '1'='1", "' OR 1=1 --", '%'].map((to) =>
        shop.api('GET', `/notifications?to=${encodeURIComponent(to)}`, { token: admin }),
      ),
    );
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    }
  });
});

describe('text PostgreSQL cannot store (NUL characters)', () => {
  // A JSON string may hold \u0000; PostgreSQL text and jsonb cannot. It must be refused as
  // invalid input (4xx), not reach the database and come back as a 500.
  const NUL = '\u0000';
  /** Every answer a 4xx; the failure lists each one that was not. */
  const expectAll4xx = (answers: Record<string, Reply>) => {
    const wrong = Object.entries(answers).flatMap(([what, res]) =>
      res.status >= 400 && res.status < 500 ? [] : [`${what} → ${res.status}`],
    );
    expect(wrong).toEqual([]);
  };

  it('catalog: product names, descriptions and searches', async () => {
    const admin = await shop.adminToken();
    const product = await shop.createProduct();
    expectAll4xx({
      'create with a NUL in the name': await shop.api('POST', '/catalog/products', {
        token: admin,
        body: { name: `a${NUL}b`, price: '1.00' },
      }),
      'create with a NUL in the description': await shop.api('POST', '/catalog/products', {
        token: admin,
        body: { name: 'ok', description: `x${NUL}`, price: '1.00' },
      }),
      'rename with a NUL': await shop.api('PATCH', `/catalog/products/${product.id}`, {
        token: admin,
        body: { name: `a${NUL}` },
      }),
      'search for a NUL': await shop.api('GET', '/catalog/products?q=%00'),
    });
  });

  it('orders: a shipping address and a shipment event id', async () => {
    const product = await shop.createProduct({ stock: 2 });
    const buyer = await openAccount(shop, 'nul');
    await shop.addToCart(buyer.token, product.id, 1);
    const refused = await shop.checkout(buyer.token, { address: { ...ADDRESS, line1: `12${NUL}` } });
    expect(await shop.stockOf(product.id)).toBe(2);
    const order = (await shop.checkout(buyer.token)).body;
    expectAll4xx({
      'checkout with a NUL in the address': refused,
      'shipment event with a NUL in its id': await call(
        shop.stack.urls.services.orders,
        'POST',
        `/orders/${order.id}/shipment-events`,
        {
          token: f.tokens.shipping,
          body: { event_id: `e${NUL}`, shipment_id: order.shipment_id, status: 'in_transit' },
        },
      ),
    });
  });

  it('shipping: an address', async () => {
    expectAll4xx({
      'shipment with a NUL in the address': await shop.api('POST', '/shipping', {
        token: await shop.adminToken(),
        body: { order_id: randomUUID(), user_id: randomUUID(), address: { ...ADDRESS, city: `x${NUL}` } },
      }),
    });
  });

  it('notifications: event data and the delivery log filter', async () => {
    expectAll4xx({
      'event with a NUL in its data': await call(shop.stack.urls.services.notifications, 'POST', '/notify', {
        token: f.tokens.orders,
        body: {
          event_id: randomUUID(),
          type: 'EmailVerification',
          to: 'nul@example.test',
          data: { username: `n${NUL}`, verify_url: 'http://localhost:8080/auth/verify-email?token=x' },
        },
      }),
      'delivery log for a NUL recipient': await shop.api('GET', '/notifications?to=%00', {
        token: await shop.adminToken(),
      }),
    });
  });

  it('auth: every text field', async () => {
    expectAll4xx({
      register: await shop.api('POST', '/auth/register', {
        body: { username: `a${NUL}b`, email: 'nul@example.test', password: 'long enough pw' },
      }),
      login: await shop.api('POST', '/auth/login', { body: { username: `a${NUL}`, password: 'x' } }),
      refresh: await shop.api('POST', '/auth/refresh', { body: { refresh_token: NUL } }),
      'verify email': await shop.api('POST', '/auth/verify-email', { body: { token: NUL } }),
      'open a verification link': await shop.api('GET', '/auth/verify-email?token=%00'),
      'service token': await tokenRequest(shop, {
        grant_type: 'client_credentials',
        client_id: `o${NUL}`,
        client_secret: 'x',
      }),
    });
  });
});
