// Who may call what, through the gateway: every route of every service — the public ones and the
// internal ones that services call each other with — for anonymous callers, a customer, the
// admin and two service clients (Orders' and Shipping's client-credentials tokens).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../support/shop.ts';
import {
  CALLERS,
  GATEWAY_ROUTES,
  ROUTES,
  outcomeOf,
  prepareFixtures,
  send,
  type Caller,
  type Fixtures,
  type RouteCase,
} from '../support/routes.ts';

let shop: Shop;
let f: Fixtures;
beforeAll(async () => {
  shop = await startShop();
  f = await prepareFixtures(shop);
});
afterAll(() => shop?.stop());

const describeAccess = (route: RouteCase) =>
  CALLERS.map((c) => `${c} ${route.access[c] === 'allowed' ? '✓' : route.access[c]}`).join(', ');

describe('the role matrix', () => {
  it('covers every route the API documentation lists', async () => {
    const docs = await shop.api('GET', '/docs/json');
    expect(docs.status).toBe(200);
    const documented = Object.entries(docs.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const listed = ROUTES.map((r) => r.route).filter((r) => !GATEWAY_ROUTES.has(r));
    expect([...listed].sort()).toEqual([...documented].sort());
  });

  it.each(ROUTES.map((r) => [r.route, describeAccess(r), r] as const))(
    '%s: %s',
    async (_name, _summary, route) => {
      const answers = await Promise.all(
        CALLERS.map(async (caller) => [caller, await send(f, route, caller)] as const),
      );
      const actual = Object.fromEntries(answers.map(([caller, res]) => [caller, outcomeOf(res)]));
      const statuses = Object.fromEntries(answers.map(([caller, res]) => [caller, res.status]));
      expect(actual, `statuses: ${JSON.stringify(statuses)}`).toEqual(route.access);
    },
  );
});

describe('checks before the body is read', () => {
  // A caller without the role must learn nothing about the route's body schema: the role check
  // comes first, so an invalid body from the wrong caller is a 403, never a 422 (docs/decisions.md 27).
  it('refuses a caller without the role with 403 even when the body is invalid', async () => {
    const cases = ROUTES.filter((r) => r.body && !r.rawBody).flatMap((route) =>
      CALLERS.filter((c) => route.access[c] === 403).map((caller) => ({ route, caller })),
    );
    const answers = await Promise.all(
      cases.map(({ route, caller }) => send(f, route, caller as Caller, { body: { not_a_field: true } })),
    );
    const actual = Object.fromEntries(
      cases.map((c, i) => [`${c.route.route} as ${c.caller}`, answers[i]!.status]),
    );
    expect(actual).toEqual(Object.fromEntries(Object.keys(actual).map((k) => [k, 403])));
  });

  it('refuses anonymous writes with 401 whatever the body', async () => {
    const writes = ROUTES.filter((r) => r.body && r.access.anonymous === 401);
    const statuses = await Promise.all(writes.map((r) => send(f, r, 'anonymous', { raw: '{"broken": ' })));
    expect(Object.fromEntries(writes.map((r, i) => [r.route, statuses[i]!.status]))).toEqual(
      Object.fromEntries(writes.map((r) => [r.route, 401])),
    );
  });
});

describe('service tokens', () => {
  it('are never given a scope their client does not hold', async () => {
    const res = await shop.api('POST', '/auth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: 'shipping',
        client_secret: shop.stack.secrets.serviceClients.shipping,
        scope: 'notify:send catalog:reserve',
      },
    });
    expect(res.status).toBe(403);
  });

  it('narrowed to some scopes, open only the routes of those scopes', async () => {
    const res = await shop.api('POST', '/auth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: 'orders',
        client_secret: shop.stack.secrets.serviceClients.orders,
        scope: 'cart:read',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('cart:read');
    const token = res.body.access_token as string;
    const read = await shop.api('GET', `/cart/internal/${f.customer.id}`, { token });
    expect(read.status).toBe(200);
    const reserve = await shop.api('POST', '/catalog/reservations', {
      token,
      body: { order_id: randomUUID(), items: [{ product_id: f.product.id, quantity: 1 }] },
    });
    expect(reserve.status).toBe(403);
    const clear = await shop.api('DELETE', `/cart/internal/${f.customer.id}`, { token });
    expect(clear.status).toBe(403);
  });

  it('are refused to a wrong secret and to an unknown client, alike', async () => {
    const wrong = await shop.api('POST', '/auth/token', {
      body: { grant_type: 'client_credentials', client_id: 'orders', client_secret: 'not the secret' },
    });
    const unknown = await shop.api('POST', '/auth/token', {
      body: { grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'not the secret' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('cannot sign in as a person', async () => {
    const res = await shop.api('POST', '/auth/login', {
      body: { username: 'orders', password: shop.stack.secrets.serviceClients.orders! },
    });
    expect(res.status).toBe(401);
  });
});
