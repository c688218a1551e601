// Who may call what: every catalog route against anonymous, customer, admin and service callers.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalog, type Catalog } from './catalog-harness.ts';

let catalog: Catalog;

beforeAll(async () => {
  catalog = await startCatalog();
});

afterAll(async () => {
  await catalog?.close();
});

type Caller = 'anonymous' | 'customer' | 'admin' | 'service without scope' | 'service with catalog:reserve';
const CALLERS: Caller[] = [
  'anonymous',
  'customer',
  'admin',
  'service without scope',
  'service with catalog:reserve',
];

function tokenOf(caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'customer':
      return catalog.issuer.customer().token;
    case 'admin':
      return catalog.issuer.admin().token;
    case 'service without scope':
      return catalog.issuer.service(['catalog:read', 'payments:charge'], 'other');
    case 'service with catalog:reserve':
      return catalog.issuer.service(['catalog:reserve'], 'orders');
  }
}

interface RouteCase {
  route: string;
  /** Builds a fresh request (fresh records, so each caller acts on its own). */
  request: () => Promise<{ method: string; path: string; body?: unknown }>;
  expected: Record<Caller, number>;
}

const PUBLIC = {
  anonymous: 200,
  customer: 200,
  admin: 200,
  'service without scope': 200,
  'service with catalog:reserve': 200,
};
const ADMIN_ONLY = (ok: number) => ({
  anonymous: 401,
  customer: 403,
  admin: ok,
  'service without scope': 403,
  'service with catalog:reserve': 403,
});
const RESERVE_SCOPE = (ok: number) => ({
  anonymous: 401,
  customer: 403,
  admin: 403,
  'service without scope': 403,
  'service with catalog:reserve': ok,
});

async function reservedOrder(): Promise<string> {
  const product = await catalog.createProduct({ stock: 5 });
  const orderId = randomUUID();
  const res = await catalog.request('POST', '/catalog/reservations', {
    token: catalog.reserveToken,
    body: { order_id: orderId, items: [{ product_id: product.id, quantity: 1 }] },
  });
  if (res.status !== 201) throw new Error(`reserving failed: ${res.status}`);
  return orderId;
}

const ROUTES: RouteCase[] = [
  {
    route: 'GET /catalog/products',
    request: async () => ({ method: 'GET', path: '/catalog/products' }),
    expected: PUBLIC,
  },
  {
    route: 'GET /catalog/products/{id}',
    request: async () => ({ method: 'GET', path: `/catalog/products/${(await catalog.createProduct()).id}` }),
    expected: PUBLIC,
  },
  {
    route: 'POST /catalog/products/lookup',
    request: async () => ({
      method: 'POST',
      path: '/catalog/products/lookup',
      body: { ids: [(await catalog.createProduct()).id] },
    }),
    expected: PUBLIC,
  },
  {
    route: 'POST /catalog/products',
    request: async () => ({
      method: 'POST',
      path: '/catalog/products',
      body: { name: 'Role matrix product', description: '', price: '1.00', stock: 1 },
    }),
    expected: ADMIN_ONLY(201),
  },
  {
    route: 'PATCH /catalog/products/{id}',
    request: async () => ({
      method: 'PATCH',
      path: `/catalog/products/${(await catalog.createProduct()).id}`,
      body: { stock: 9 },
    }),
    expected: ADMIN_ONLY(200),
  },
  {
    route: 'DELETE /catalog/products/{id}',
    request: async () => ({
      method: 'DELETE',
      path: `/catalog/products/${(await catalog.createProduct()).id}`,
    }),
    expected: ADMIN_ONLY(204),
  },
  {
    route: 'POST /catalog/reservations',
    request: async () => ({
      method: 'POST',
      path: '/catalog/reservations',
      body: {
        order_id: randomUUID(),
        items: [{ product_id: (await catalog.createProduct()).id, quantity: 1 }],
      },
    }),
    expected: RESERVE_SCOPE(201),
  },
  {
    route: 'GET /catalog/reservations/{order_id}',
    request: async () => ({ method: 'GET', path: `/catalog/reservations/${await reservedOrder()}` }),
    expected: RESERVE_SCOPE(200),
  },
  {
    route: 'POST /catalog/reservations/{order_id}/commit',
    request: async () => ({ method: 'POST', path: `/catalog/reservations/${await reservedOrder()}/commit` }),
    expected: RESERVE_SCOPE(200),
  },
  {
    route: 'POST /catalog/reservations/{order_id}/release',
    request: async () => ({ method: 'POST', path: `/catalog/reservations/${await reservedOrder()}/release` }),
    expected: RESERVE_SCOPE(200),
  },
];

describe('role matrix', () => {
  for (const { route, request, expected } of ROUTES) {
    it(`${route} answers each caller as expected`, async () => {
      const got: Record<string, number> = {};
      for (const caller of CALLERS) {
        const { method, path, body } = await request();
        got[caller] = (await catalog.request(method, path, { token: tokenOf(caller), body })).status;
      }
      expect(got).toEqual(expected);
    });
  }

  it('refuses writes before looking at the body: anonymous and customers get 401/403 even for invalid input', async () => {
    const bad = { rawBody: '{not json' };
    expect((await catalog.request('POST', '/catalog/products', bad)).status).toBe(401);
    const customer = catalog.issuer.customer().token;
    expect((await catalog.request('POST', '/catalog/products', { ...bad, token: customer })).status).toBe(
      403,
    );
    expect((await catalog.request('POST', '/catalog/reservations', { ...bad, token: customer })).status).toBe(
      403,
    );
  });

  it('rejects forged, expired and foreign tokens with 401', async () => {
    const admin = catalog.issuer.admin().token;
    const [header, payload] = admin.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin', sub: randomUUID() })).toString('base64url')}.${admin.split('.')[2]}`;
    const expired = catalog.issuer.token('admin', { exp: Math.floor(Date.now() / 1000) - 60 });
    const wrongAudience = catalog.issuer.token('admin', { aud: 'someone-else' });
    for (const token of [tampered, expired, wrongAudience, 'not-a-token']) {
      const res = await catalog.request('POST', '/catalog/products', {
        token,
        body: { name: 'Forged', description: '', price: '1.00', stock: 1 },
      });
      expect(res.status).toBe(401);
    }
  });
});
