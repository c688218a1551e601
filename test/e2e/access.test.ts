// Who may call what: every route of every service, for anonymous callers, a customer, the admin
// and two service clients (Orders' and Shipping's client-credentials tokens). Public routes are
// called through the gateway; internal ones, which the gateway refuses whoever asks, at their
// own service, where each still checks the caller's scope.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startShop, type Reply, type Shop } from '../support/shop.ts';
import { isProblem, tokenRequest } from '../support/callers.ts';
import {
  CALLERS,
  GATEWAY_ROUTES,
  ROUTES,
  allowedCaller,
  concretePath,
  methodOf,
  serviceOf,
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

interface Operation {
  route: string;
  internal: boolean;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operationsOf(document: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        internal: operation['x-internal'] === true,
      })),
  );
}

/** A service's own document, which lists its internal operations too. */
async function serviceOperations(base: string): Promise<Operation[]> {
  const res = await call(base, 'GET', '/openapi.json');
  expect(res.status, base).toBe(200);
  return operationsOf(res.body);
}

const describeAccess = (route: RouteCase) =>
  CALLERS.map((c) => `${c} ${route.access[c] === 'allowed' ? '✓' : route.access[c]}`).join(', ');

describe('the role matrix', () => {
  it('covers every route the services document, and marks internal exactly those they mark', async () => {
    const documented = (
      await Promise.all(Object.values(shop.stack.urls.services).map(serviceOperations))
    ).flat();
    const listed = ROUTES.filter((r) => !GATEWAY_ROUTES.has(r.route));
    expect(listed.map((r) => `${r.route}${r.internal ? ' (internal)' : ''}`).sort()).toEqual(
      documented.map((op) => `${op.route}${op.internal ? ' (internal)' : ''}`).sort(),
    );
  });

  it('shows only the public routes in the gateway’s /docs', async () => {
    const docs = await shop.api('GET', '/docs/json');
    expect(docs.status).toBe(200);
    const listed = ROUTES.filter((r) => !GATEWAY_ROUTES.has(r.route) && !r.internal).map((r) => r.route);
    expect(
      operationsOf(docs.body)
        .map((op) => op.route)
        .sort(),
    ).toEqual([...listed].sort());
    expect(JSON.stringify(docs.body)).not.toContain('x-internal');
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

describe('internal operations', () => {
  const internal = ROUTES.filter((r) => r.internal);

  it.each(internal.map((r) => [r.route, serviceOf(r), r] as const))(
    '%s is refused by the gateway for every caller, and served by %s',
    async (_name, service, route) => {
      const path = concretePath(route, f);
      const body = route.body ? await route.body(f) : undefined;
      const answers: Record<string, Reply> = {};
      for (const caller of CALLERS) {
        answers[caller] = await shop.api(methodOf(route), path, {
          token: f.tokens[caller],
          ...(body !== undefined ? { body } : {}),
        });
      }
      const refused = Object.entries(answers).filter(([, res]) => isProblem(res, 404));
      expect(refused.map(([caller]) => caller)).toEqual([...CALLERS]);
      // The service itself still has the route (the matrix above checks who may call it).
      const direct = await send(f, route, allowedCaller(route));
      expect(`${direct.status} ${direct.body?.detail ?? ''}`, service).not.toMatch(/^404 no route/);
    },
  );

  it('leaves the services’ health, readiness, metrics and internal documents off the gateway', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi-internal.json', '/auth/openapi.json']) {
      const res = await shop.api('GET', path, { token: f.tokens.customer });
      expect(isProblem(res, 404), `${path}: ${res.status}`).toBe(true);
    }
  });
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

/** A client-credentials token request by one of the shop's service clients, with its real secret. */
function clientToken(client: 'shipping' | 'orders', scope: string) {
  return tokenRequest(shop, {
    grant_type: 'client_credentials',
    client_id: client,
    client_secret: shop.stack.secrets.serviceClients[client]!,
    scope,
  });
}

describe('service tokens', () => {
  it('are never given a scope their client does not hold', async () => {
    const res = await clientToken('shipping', 'notify:send catalog:reserve');
    expect(res.status).toBe(403);
  });

  it('narrowed to some scopes, open only the routes of those scopes', async () => {
    const res = await clientToken('orders', 'cart:read');
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('cart:read');
    const token = res.body.access_token as string;
    const { cart, catalog } = shop.stack.urls.services;
    const read = await call(cart, 'GET', `/cart/internal/${f.customer.id}`, { token });
    expect(read.status).toBe(200);
    const reserve = await call(catalog, 'POST', '/catalog/reservations', {
      token,
      body: { order_id: randomUUID(), items: [{ product_id: f.product.id, quantity: 1 }] },
    });
    expect(reserve.status).toBe(403);
    const clear = await call(cart, 'DELETE', `/cart/internal/${f.customer.id}`, { token });
    expect(clear.status).toBe(403);
  });

  it('are refused to a wrong secret and to an unknown client, alike', async () => {
    const wrong = await tokenRequest(shop, {
      grant_type: 'client_credentials',
      client_id: 'orders',
      client_secret: 'not the secret',
    });
    const unknown = await tokenRequest(shop, {
      grant_type: 'client_credentials',
      client_id: 'nobody',
      client_secret: 'not the secret',
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
