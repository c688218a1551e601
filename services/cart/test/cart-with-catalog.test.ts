// The cart against the real Catalog service (its own app on a fresh database), to prove the two
// agree on the product contract: names, prices, stock and deleted products, and how long the cart
// may show a product as Catalog last gave it (Catalog's max-age, one second).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testDatabaseUrl, testRedisUrl } from '@minishop/devstack/testing';
import { loadConfig } from '@minishop/kit/config';
import { createPool, type Pool } from '@minishop/kit/db';
import type { App } from '@minishop/kit/http';
import { createRedis, type Redis } from '@minishop/kit/redis';
import { createTestIssuer } from '@minishop/kit/testing';
import { buildApp as buildCatalog } from '../../catalog/src/app.ts';
import { ConfigSchema as CatalogConfigSchema } from '../../catalog/src/config.ts';
import { applyMigrations } from '../../catalog/src/data/migrations.ts';
import { buildApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config.ts';

/** How long Catalog declares its product answers fresh (`Cache-Control: public, max-age=1`). */
const MAX_AGE_MS = 1_000;
const issuer = createTestIssuer();
const admin = issuer.admin().token;
let catalogPool: Pool;
let catalog: App;
let cart: App;
let redis: Redis;
let catalogUrl: string;
let cartUrl: string;

function urlOf(app: App): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

async function call(base: string, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- responses are checked field by field
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

async function product(name: string, price: string, stock: number): Promise<string> {
  const res = await call(catalogUrl, 'POST', '/catalog/products', admin, {
    name: `${name} ${crypto.randomUUID().slice(0, 8)}`,
    description: 'cart contract test',
    price,
    stock,
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

beforeAll(async () => {
  const databaseUrl = await testDatabaseUrl('cart_catalog');
  catalogPool = createPool(databaseUrl);
  await applyMigrations(catalogPool);
  const common = {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
  };
  catalog = await buildCatalog({
    config: loadConfig(CatalogConfigSchema, { ...common, DATABASE_URL: databaseUrl }),
    pool: catalogPool,
    tokens: issuer.verifier,
    sweeper: false,
  });
  await catalog.listen({ host: '127.0.0.1', port: 0 });
  catalogUrl = urlOf(catalog);
  redis = createRedis(testRedisUrl());
  cart = await buildApp({
    config: loadConfig(ConfigSchema, { ...common, REDIS_URL: testRedisUrl(), CATALOG_URL: catalogUrl }),
    redis,
    tokens: issuer.verifier,
  });
  await cart.listen({ host: '127.0.0.1', port: 0 });
  cartUrl = urlOf(cart);
});

afterAll(async () => {
  await cart?.close();
  await redis?.quit();
  await catalog?.close();
  await catalogPool?.end();
});

function addItem(token: string, productId: string, quantity: number) {
  return call(cartUrl, 'POST', '/cart/items', token, { product_id: productId, quantity });
}

describe('cart with the real catalog', () => {
  it('prices the cart with catalog names and prices, and follows a price change within its max-age', async () => {
    const user = issuer.customer();
    const mug = await product('Mug', '19.99', 10);
    const pen = await product('Pen', '0.10', 10);
    expect((await addItem(user.token, mug, 3)).status).toBe(200);
    expect((await addItem(user.token, pen, 2)).status).toBe(200);
    const cartView = await call(cartUrl, 'GET', '/cart', user.token);
    expect(cartView.body.total_price).toBe('60.17');
    expect(cartView.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ product_id: mug, unit_price: '19.99', quantity: 3, line_total: '59.97' }),
        expect.objectContaining({ product_id: pen, unit_price: '0.10', quantity: 2, line_total: '0.20' }),
      ]),
    );

    expect(
      (await call(catalogUrl, 'PATCH', `/catalog/products/${mug}`, admin, { price: '15.00' })).status,
    ).toBe(200);
    // The cart may show the price Catalog gave it for as long as Catalog said it stays fresh.
    await eventually(
      async () => (await call(cartUrl, 'GET', '/cart', user.token)).body.total_price === '45.20',
      'the new price in the cart',
      MAX_AGE_MS + 4_000,
    );
  });

  it('enforces the catalog stock and knows unknown and deleted products', async () => {
    const user = issuer.customer();
    const lamp = await product('Lamp', '30.00', 2);
    expect((await addItem(user.token, lamp, 3)).status).toBe(409);
    expect((await addItem(user.token, lamp, 2)).status).toBe(200);
    const unknown = crypto.randomUUID();
    expect((await addItem(user.token, unknown, 1)).status).toBe(404);

    const deleted = await call(catalogUrl, 'DELETE', `/catalog/products/${lamp}`, admin);
    expect(deleted.status).toBeLessThan(300);
    const view = await eventually(
      async () => {
        const answer = await call(cartUrl, 'GET', '/cart', user.token);
        return answer.body.items.length === 0 && answer;
      },
      'the deleted product gone from the cart',
      MAX_AGE_MS + 4_000,
    );
    expect(view.body).toMatchObject({ items: [], total_price: '0.00' });
  });
});
