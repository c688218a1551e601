import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '@minishop/devstack/testing';
import type { App } from '@minishop/kit/http';
import { createRedis, type Redis } from '@minishop/kit/redis';
import { createTestIssuer } from '@minishop/kit/testing';
import { buildApp } from '../src/app.ts';
import { ConfigSchema, type Config } from '../src/config.ts';
import { loadConfig } from '@minishop/kit/config';
import { cartKey } from '../src/data/cart.repository.ts';
import { startCatalogStandIn, type CatalogStandIn } from './catalog-stand-in.ts';

const issuer = createTestIssuer();
let catalog: CatalogStandIn;
let redis: Redis;
let app: App;
let baseUrl: string;
const serverErrors: string[] = [];

function testConfig(catalogUrl: string): Config {
  return loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    AUTH_URL: 'http://127.0.0.1:9',
    REDIS_URL: testRedisUrl(),
    CATALOG_URL: catalogUrl,
  });
}

interface Reply {
  status: number;
  type: string;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- responses are checked field by field
}

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; base?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.raw !== undefined || options.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = options.raw ?? JSON.stringify(options.body);
  }
  const res = await fetch(`${options.base ?? baseUrl}${path}`, { method, headers, body: payload });
  const text = await res.text();
  const reply = {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? JSON.parse(text) : null,
  };
  if (res.status >= 500 && !options.base) serverErrors.push(`${method} ${path} → ${res.status} ${text}`);
  return reply;
}

const add = (token: string, product_id: string, quantity: number) =>
  call('POST', '/cart/items', { token, body: { product_id, quantity } });
const getCart = (token: string) => call('GET', '/cart', { token });

beforeAll(async () => {
  catalog = await startCatalogStandIn();
  redis = createRedis(testRedisUrl());
  app = await buildApp({ config: testConfig(catalog.url), redis, tokens: issuer.verifier });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await catalog?.close();
});

describe('adding and reading', () => {
  it('adds to an existing line and prices the cart from the catalog as decimal strings', async () => {
    const user = issuer.customer();
    const shirt = catalog.add({ name: 'Shirt', price: '19.99', stock: 10 });
    const added = await add(user.token, shirt.id, 2);
    expect(added.status).toBe(200);
    expect(added.body.message).toEqual(expect.any(String));
    expect((await add(user.token, shirt.id, 1)).status).toBe(200);

    const cart = await getCart(user.token);
    expect(cart.status).toBe(200);
    expect(cart.body).toEqual({
      user_id: user.id,
      items: [{ product_id: shirt.id, name: 'Shirt', unit_price: '19.99', quantity: 3, line_total: '59.97' }],
      total_price: '59.97',
      currency: 'USD',
    });
  });

  it('totals several lines exactly', async () => {
    const user = issuer.customer();
    const a = catalog.add({ name: 'A pen', price: '0.10', stock: 50 });
    const b = catalog.add({ name: 'B mug', price: '19.99', stock: 50 });
    const c = catalog.add({ name: 'C lamp', price: '0.20', stock: 50 });
    await add(user.token, a.id, 3);
    await add(user.token, b.id, 3);
    await add(user.token, c.id, 1);
    const cart = await getCart(user.token);
    expect(cart.body.items.map((i: { line_total: string }) => i.line_total)).toEqual([
      '0.30',
      '59.97',
      '0.20',
    ]);
    expect(cart.body.total_price).toBe('60.47');
  });

  it('shows an empty cart to a user who never added anything', async () => {
    const user = issuer.customer();
    const cart = await getCart(user.token);
    expect(cart.status).toBe(200);
    expect(cart.body).toEqual({ user_id: user.id, items: [], total_price: '0.00', currency: 'USD' });
  });

  it('shows the current catalog name and price when the catalog declares no freshness', async () => {
    const user = issuer.customer();
    const lamp = catalog.add({ name: 'Lamp', price: '10.00', stock: 5 });
    await add(user.token, lamp.id, 2);
    catalog.update(lamp.id, { name: 'Desk lamp', price: '12.50' });
    const cart = await getCart(user.token);
    expect(cart.body.items[0]).toMatchObject({ name: 'Desk lamp', unit_price: '12.50', line_total: '25.00' });
    expect(cart.body.total_price).toBe('25.00');
  });

  it('drops a line whose product was deleted from the catalog', async () => {
    const user = issuer.customer();
    const kept = catalog.add({ price: '1.00', stock: 5 });
    const deleted = catalog.add({ price: '2.00', stock: 5 });
    await add(user.token, kept.id, 1);
    await add(user.token, deleted.id, 1);
    catalog.remove(deleted.id);
    const cart = await getCart(user.token);
    expect(cart.body.items.map((i: { product_id: string }) => i.product_id)).toEqual([kept.id]);
    expect(cart.body.total_price).toBe('1.00');
    expect(await redis.hexists(cartKey(user.id), deleted.id)).toBe(0);
  });

  it('treats a product id in upper case as the same product', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '4.00', stock: 10 });
    await add(user.token, product.id, 1);
    expect((await add(user.token, product.id.toUpperCase(), 2)).status).toBe(200);
    const patched = await call('PATCH', `/cart/items/${product.id.toUpperCase()}`, {
      token: user.token,
      body: { quantity: 4 },
    });
    expect(patched.status).toBe(200);
    const cart = await getCart(user.token);
    expect(cart.body.items).toEqual([expect.objectContaining({ product_id: product.id, quantity: 4 })]);
    expect(
      (await call('DELETE', `/cart/items/${product.id.toUpperCase()}`, { token: user.token })).status,
    ).toBe(200);
    expect((await getCart(user.token)).body.items).toEqual([]);
  });

  it("keeps every user's cart separate", async () => {
    const alice = issuer.customer();
    const bob = issuer.customer();
    const product = catalog.add({ price: '5.00', stock: 20 });
    await add(alice.token, product.id, 4);
    expect((await getCart(bob.token)).body.items).toEqual([]);
    await add(bob.token, product.id, 1);
    expect((await getCart(alice.token)).body.items[0].quantity).toBe(4);
    expect((await call('DELETE', '/cart', { token: bob.token })).status).toBe(200);
    expect((await getCart(alice.token)).body.items[0].quantity).toBe(4);
  });
});

describe('changing and removing', () => {
  it('sets the quantity of a line', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '3.33', stock: 10 });
    await add(user.token, product.id, 1);
    const patched = await call('PATCH', `/cart/items/${product.id}`, {
      token: user.token,
      body: { quantity: 7 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.message).toEqual(expect.any(String));
    const cart = await getCart(user.token);
    expect(cart.body.items[0]).toMatchObject({ quantity: 7, line_total: '23.31' });
  });

  it('answers 404 when setting or removing a line that is not in the cart', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 10 });
    const patched = await call('PATCH', `/cart/items/${product.id}`, {
      token: user.token,
      body: { quantity: 1 },
    });
    expect(patched.status).toBe(404);
    expect(patched.type).toContain('application/problem+json');
    expect((await call('DELETE', `/cart/items/${product.id}`, { token: user.token })).status).toBe(404);
    expect((await getCart(user.token)).body.items).toEqual([]);
  });

  it('removes one line and keeps the others', async () => {
    const user = issuer.customer();
    const a = catalog.add({ name: 'a', price: '1.00', stock: 10 });
    const b = catalog.add({ name: 'b', price: '2.00', stock: 10 });
    await add(user.token, a.id, 1);
    await add(user.token, b.id, 1);
    const removed = await call('DELETE', `/cart/items/${a.id}`, { token: user.token });
    expect(removed.status).toBe(200);
    expect(removed.body.message).toEqual(expect.any(String));
    expect((await call('DELETE', `/cart/items/${a.id}`, { token: user.token })).status).toBe(404);
    const cart = await getCart(user.token);
    expect(cart.body.items.map((i: { product_id: string }) => i.product_id)).toEqual([b.id]);
  });

  it('clears the whole cart, and clearing an empty cart is fine', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 10 });
    await add(user.token, product.id, 2);
    const cleared = await call('DELETE', '/cart', { token: user.token });
    expect(cleared.status).toBe(200);
    expect(cleared.body.message).toEqual(expect.any(String));
    expect((await getCart(user.token)).body).toMatchObject({ items: [], total_price: '0.00' });
    expect((await call('DELETE', '/cart', { token: user.token })).status).toBe(200);
  });
});

describe('limits', () => {
  it('answers 404 for a product the catalog does not know', async () => {
    const user = issuer.customer();
    const res = await add(user.token, randomUUID(), 1);
    expect(res.status).toBe(404);
    expect(res.type).toContain('application/problem+json');
    expect((await getCart(user.token)).body.items).toEqual([]);
  });

  it('answers 409 when a line would hold more than is in stock', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 3 });
    expect((await add(user.token, product.id, 4)).status).toBe(409);
    expect((await add(user.token, product.id, 2)).status).toBe(200);
    const over = await add(user.token, product.id, 2);
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ status: 409, product_id: product.id, available: 3, requested: 4 });
    const patched = await call('PATCH', `/cart/items/${product.id}`, {
      token: user.token,
      body: { quantity: 4 },
    });
    expect(patched.status).toBe(409);
    expect((await getCart(user.token)).body.items[0].quantity).toBe(2);
  });

  it('refuses a product that is sold out', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 0 });
    expect((await add(user.token, product.id, 1)).status).toBe(409);
  });

  it('answers 422 when a line would hold more than 99 units and keeps what it had', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 1000 });
    expect((await add(user.token, product.id, 60)).status).toBe(200);
    const over = await add(user.token, product.id, 40);
    expect(over.status).toBe(422);
    expect(over.body.errors).toEqual([expect.objectContaining({ field: 'body.quantity' })]);
    expect((await add(user.token, product.id, 39)).status).toBe(200);
    expect((await getCart(user.token)).body.items[0].quantity).toBe(99);
  });

  it('accepts quantities from 1 to 99 only', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 1000 });
    for (const quantity of [0, -1, 100, 1.5]) {
      expect((await add(user.token, product.id, quantity)).status).toBe(422);
    }
    await add(user.token, product.id, 1);
    for (const quantity of [0, 100]) {
      const res = await call('PATCH', `/cart/items/${product.id}`, { token: user.token, body: { quantity } });
      expect(res.status).toBe(422);
    }
    expect((await getCart(user.token)).body.items[0].quantity).toBe(1);
  });

  it('holds at most 50 different products (409 for the 51st) but still grows existing lines', async () => {
    const user = issuer.customer();
    const products = Array.from({ length: 51 }, () => catalog.add({ price: '1.00', stock: 10 }));
    for (const product of products.slice(0, 50))
      expect((await add(user.token, product.id, 1)).status).toBe(200);
    const full = await add(user.token, products[50]!.id, 1);
    expect(full.status).toBe(409);
    expect(full.body.detail).toContain('50');
    expect((await add(user.token, products[0]!.id, 1)).status).toBe(200);
    const cart = await getCart(user.token);
    expect(cart.body.items).toHaveLength(50);
    expect(cart.body.total_price).toBe('51.00');
  });
});

describe('concurrency and expiry', () => {
  it('keeps every line when 50 different products are added at once', async () => {
    const user = issuer.customer();
    const products = Array.from({ length: 50 }, () => catalog.add({ price: '2.00', stock: 10 }));
    const results = await Promise.all(products.map((p) => add(user.token, p.id, 1)));
    expect(results.map((r) => r.status)).toEqual(products.map(() => 200));
    const cart = await getCart(user.token);
    expect(new Set(cart.body.items.map((i: { product_id: string }) => i.product_id))).toEqual(
      new Set(products.map((p) => p.id)),
    );
    expect(cart.body.total_price).toBe('100.00');
  });

  it('counts every unit when one line is incremented 30 times at once', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '0.01', stock: 1000 });
    const results = await Promise.all(Array.from({ length: 30 }, () => add(user.token, product.id, 1)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const cart = await getCart(user.token);
    expect(cart.body.items[0]).toMatchObject({ quantity: 30, line_total: '0.30' });
  });

  it('never lets concurrent adds exceed the stock', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 7 });
    const results = await Promise.all(Array.from({ length: 20 }, () => add(user.token, product.id, 1)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(results.filter((r) => r.status === 409)).toHaveLength(13);
    expect((await getCart(user.token)).body.items[0].quantity).toBe(7);
  });

  it('expires a cart 30 days after its last change', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 10 });
    await add(user.token, product.id, 1);
    const thirtyDays = 30 * 86_400;
    const ttl = await redis.ttl(cartKey(user.id));
    expect(ttl).toBeGreaterThan(thirtyDays - 60);
    expect(ttl).toBeLessThanOrEqual(thirtyDays);

    await redis.expire(cartKey(user.id), 100);
    await call('PATCH', `/cart/items/${product.id}`, { token: user.token, body: { quantity: 2 } });
    expect(await redis.ttl(cartKey(user.id))).toBeGreaterThan(thirtyDays - 60);
  });
});

describe('internal access for Orders', () => {
  it('lets a service with cart:read read and one with cart:clear clear a user cart', async () => {
    const user = issuer.customer();
    const product = catalog.add({ name: 'Kettle', price: '25.00', stock: 10 });
    await add(user.token, product.id, 2);

    const read = await call('GET', `/cart/internal/${user.id}`, { token: issuer.service(['cart:read']) });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      user_id: user.id,
      items: [
        { product_id: product.id, name: 'Kettle', quantity: 2, unit_price: '25.00', line_total: '50.00' },
      ],
      total_price: '50.00',
    });

    const cleared = await call('DELETE', `/cart/internal/${user.id}`, {
      token: issuer.service(['cart:clear']),
    });
    expect(cleared.status).toBe(200);
    expect((await getCart(user.token)).body.items).toEqual([]);
  });

  it('refuses the internal routes to customers and to services without the scope', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 10 });
    await add(user.token, product.id, 1);
    expect((await call('GET', `/cart/internal/${user.id}`, { token: user.token })).status).toBe(403);
    expect((await call('GET', `/cart/internal/${user.id}`, { token: issuer.admin().token })).status).toBe(
      403,
    );
    expect(
      (await call('GET', `/cart/internal/${user.id}`, { token: issuer.service(['cart:clear']) })).status,
    ).toBe(403);
    expect(
      (await call('DELETE', `/cart/internal/${user.id}`, { token: issuer.service(['cart:read']) })).status,
    ).toBe(403);
    expect((await call('GET', `/cart/internal/${user.id}`)).status).toBe(401);
    expect((await getCart(user.token)).body.items).toHaveLength(1);
  });
});

describe('bad requests', () => {
  it('requires a user token', async () => {
    const product = catalog.add({ price: '1.00', stock: 10 });
    expect((await call('GET', '/cart')).status).toBe(401);
    expect((await call('GET', '/cart', { token: 'not-a-token' })).status).toBe(401);
    const service = await call('POST', '/cart/items', {
      token: issuer.service(['cart:read', 'cart:clear']),
      body: { product_id: product.id, quantity: 1 },
    });
    expect(service.status).toBe(403);
  });

  it('rejects unknown fields, wrong types and missing fields with 422', async () => {
    const user = issuer.customer();
    const product = catalog.add({ price: '1.00', stock: 10 });
    const extra = await call('POST', '/cart/items', {
      token: user.token,
      body: { product_id: product.id, quantity: 1, price: '0.01' },
    });
    expect(extra.status).toBe(422);
    expect(extra.body.errors).toEqual([expect.objectContaining({ message: 'unknown field' })]);
    for (const body of [
      { product_id: product.id, quantity: '1' },
      { product_id: product.id },
      { quantity: 1 },
      { product_id: 'not-a-uuid', quantity: 1 },
      [],
      'text',
    ]) {
      expect((await call('POST', '/cart/items', { token: user.token, body })).status).toBe(422);
    }
    const patchExtra = await call('PATCH', `/cart/items/${product.id}`, {
      token: user.token,
      body: { quantity: 1, name: 'x' },
    });
    expect(patchExtra.status).toBe(422);
    expect((await getCart(user.token)).body.items).toEqual([]);
  });

  it('rejects ids that are not UUIDs', async () => {
    const user = issuer.customer();
    const service = issuer.service(['cart:read', 'cart:clear']);
    for (const [method, path, token, body] of [
      ['PATCH', '/cart/items/42', user.token, { quantity: 1 }],
      ['DELETE', '/cart/items/not-a-uuid', user.token, undefined],
      ['GET', '/cart/internal/client:orders', service, undefined],
      ['DELETE', '/cart/internal/%27%3B--', service, undefined],
    ] as const) {
      const res = await call(method, path, { token, body });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('answers 400 for a malformed JSON body', async () => {
    const user = issuer.customer();
    const res = await call('POST', '/cart/items', { token: user.token, raw: '{"product_id": ' });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.detail).toBe('malformed JSON body');
  });

  it('answers 503 with a problem when the catalog cannot be reached', async () => {
    const deadCatalog = await startCatalogStandIn();
    const deadUrl = deadCatalog.url;
    await deadCatalog.close();
    const isolated = await buildApp({ config: testConfig(deadUrl), redis, tokens: issuer.verifier });
    await isolated.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = isolated.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const user = issuer.customer();
      const res = await call('POST', '/cart/items', {
        base,
        token: user.token,
        body: { product_id: randomUUID(), quantity: 1 },
      });
      expect(res.status).toBe(503);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.detail).toContain('catalog');
    } finally {
      await isolated.close();
    }
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
