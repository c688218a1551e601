// The cart keeps the products Catalog gave it for as long as Catalog declared them fresh, and asks
// Catalog only for what it does not hold fresh: counted at a stand-in catalog over real HTTP.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http } from '@minishop/devstack/service-stack';
import { testRedisUrl } from '@minishop/devstack/testing';
import { loadConfig } from '@minishop/kit/config';
import type { App } from '@minishop/kit/http';
import { createRedis, type Redis } from '@minishop/kit/redis';
import { createTestIssuer } from '@minishop/kit/testing';
import { buildApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config.ts';
import { catalogClient, createProductCatalog } from '../src/data/catalog.client.ts';
import { startCatalogStandIn, type CatalogStandIn } from './catalog-stand-in.ts';

/** Fresh for longer than any test here takes, so only the answer's directives decide. */
const LONG_FRESH = 'public, max-age=60';

const issuer = createTestIssuer();
let catalog: CatalogStandIn;
let redis: Redis;
let app: App;
let baseUrl: string;

beforeAll(async () => {
  catalog = await startCatalogStandIn();
  redis = createRedis(testRedisUrl());
  const config = loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUTH_URL: 'http://127.0.0.1:9',
    REDIS_URL: testRedisUrl(),
    CATALOG_URL: catalog.url,
  });
  app = await buildApp({ config, redis, tokens: issuer.verifier });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterEach(() => {
  catalog.cacheControl = LONG_FRESH;
});

afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await catalog?.close();
});

const add = (token: string, product_id: string, quantity: number) =>
  http(baseUrl, 'POST', '/cart/items', { token, body: { product_id, quantity } });
const getCart = (token: string) => http(baseUrl, 'GET', '/cart', { token });

/** What the stand-in was asked about these products: single reads by id, lookups by their ids. */
function asked(...ids: string[]): Array<{ read: string } | { lookup: string[] }> {
  return catalog.requests.flatMap((request): Array<{ read: string } | { lookup: string[] }> => {
    if (request.ids) {
      const wanted = request.ids.filter((id) => ids.includes(id));
      return wanted.length > 0 ? [{ lookup: wanted }] : [];
    }
    return request.id !== undefined && ids.includes(request.id) ? [{ read: request.id }] : [];
  });
}

describe('products held as long as Catalog declares them fresh', () => {
  it('asks Catalog once for two adds of one product and the cart read after them', async () => {
    catalog.cacheControl = LONG_FRESH;
    const user = issuer.customer();
    const mug = catalog.add({ name: 'Mug', price: '8.00', stock: 10 });
    expect((await add(user.token, mug.id, 1)).status).toBe(200);
    expect((await add(user.token, mug.id, 2)).status).toBe(200);
    const cart = await getCart(user.token);
    expect(cart.body.items).toEqual([expect.objectContaining({ product_id: mug.id, quantity: 3 })]);
    expect(asked(mug.id)).toEqual([{ read: mug.id }]);
  });

  it('shares what it holds between users', async () => {
    catalog.cacheControl = LONG_FRESH;
    const [ann, ben] = [issuer.customer(), issuer.customer()];
    const pen = catalog.add({ price: '1.50', stock: 10 });
    await add(ann.token, pen.id, 1);
    await add(ben.token, pen.id, 1);
    const internal = await http(baseUrl, 'GET', `/cart/internal/${ben.id}`, {
      token: issuer.service(['cart:read']),
    });
    expect(internal.body.total_price).toBe('1.50');
    expect(asked(pen.id)).toEqual([{ read: pen.id }]);
  });

  it.each([
    ['no-cache', 'public, no-cache, max-age=60'],
    ['no-store', 'public, no-store, max-age=60'],
    ['private', 'private, max-age=60'],
    ['no max-age', 'public'],
    ['no Cache-Control', undefined],
  ])('asks again for a product whose answer said %s', async (_, cacheControl) => {
    catalog.cacheControl = cacheControl;
    const user = issuer.customer();
    const lamp = catalog.add({ price: '20.00', stock: 10 });
    await add(user.token, lamp.id, 1);
    await add(user.token, lamp.id, 1);
    await getCart(user.token);
    expect(asked(lamp.id)).toEqual([{ read: lamp.id }, { read: lamp.id }, { lookup: [lamp.id] }]);
  });

  it('looks up only the products it does not hold fresh, and nothing when it holds them all', async () => {
    const user = issuer.customer();
    catalog.cacheControl = LONG_FRESH;
    const held = catalog.add({ name: 'Held', price: '2.00', stock: 10 });
    await add(user.token, held.id, 1);
    catalog.cacheControl = 'no-cache';
    const notHeld = catalog.add({ name: 'Not held', price: '3.00', stock: 10 });
    await add(user.token, notHeld.id, 1);
    catalog.cacheControl = LONG_FRESH;

    expect((await getCart(user.token)).body.total_price).toBe('5.00');
    expect((await getCart(user.token)).body.total_price).toBe('5.00');
    expect(asked(held.id, notHeld.id)).toEqual([
      { read: held.id },
      { read: notHeld.id },
      { lookup: [notHeld.id] },
    ]);
  });

  it('never holds a product Catalog does not know: each add asks again', async () => {
    catalog.cacheControl = LONG_FRESH;
    const user = issuer.customer();
    const unknown = randomUUID();
    expect((await add(user.token, unknown, 1)).status).toBe(404);
    expect((await add(user.token, unknown, 1)).status).toBe(404);
    expect(asked(unknown)).toEqual([{ read: unknown }, { read: unknown }]);
  });
});

describe('freshness runs out after the declared max-age', () => {
  /** The cart's product reads on a clock the test moves. */
  function productsAt(clock: { now: number }) {
    return createProductCatalog(catalogClient(catalog.url), { now: () => clock.now });
  }

  it('serves the held price within max-age and asks Catalog again once it has passed', async () => {
    catalog.cacheControl = 'public, max-age=1';
    const clock = { now: 1_000_000 };
    const products = productsAt(clock);
    const kettle = catalog.add({ price: '30.00', stock: 5 });
    expect((await products.product(kettle.id))?.priceCents).toBe(3000);
    catalog.update(kettle.id, { price: '25.00', stock: 4 });

    clock.now += 999;
    expect(await products.product(kettle.id)).toMatchObject({ priceCents: 3000, stock: 5 });
    expect((await products.products([kettle.id])).get(kettle.id)?.priceCents).toBe(3000);
    expect(asked(kettle.id)).toEqual([{ read: kettle.id }]);

    clock.now += 1;
    expect(await products.product(kettle.id)).toMatchObject({ priceCents: 2500, stock: 4 });
    expect(asked(kettle.id)).toEqual([{ read: kettle.id }, { read: kettle.id }]);
  });

  it('keeps looked-up products for their max-age too, and forgets a deleted one once it passed', async () => {
    catalog.cacheControl = 'public, max-age=2';
    const clock = { now: 5_000_000 };
    const products = productsAt(clock);
    const [chair, desk] = [
      catalog.add({ price: '40.00', stock: 1 }),
      catalog.add({ price: '90.00', stock: 1 }),
    ];
    expect([...(await products.products([chair.id, desk.id])).keys()].sort()).toEqual(
      [chair.id, desk.id].sort(),
    );
    catalog.remove(desk.id);

    clock.now += 1_999;
    expect((await products.products([chair.id, desk.id])).has(desk.id)).toBe(true);
    clock.now += 1;
    expect([...(await products.products([chair.id, desk.id])).keys()]).toEqual([chair.id]);
    // Gone is not held either: the next read asks again.
    expect(await products.product(desk.id)).toBeNull();
    expect(asked(chair.id, desk.id)).toEqual([
      { lookup: [chair.id, desk.id] },
      { lookup: [chair.id, desk.id] },
      { read: desk.id },
    ]);
  });

  it('holds a product no longer than the 60 s a shared cache may keep anything', async () => {
    catalog.cacheControl = 'public, max-age=86400';
    const clock = { now: 9_000_000 };
    const products = productsAt(clock);
    const rug = catalog.add({ price: '60.00', stock: 3 });
    await products.product(rug.id);
    clock.now += 59_999;
    await products.product(rug.id);
    clock.now += 1;
    await products.product(rug.id);
    expect(asked(rug.id)).toEqual([{ read: rug.id }, { read: rug.id }]);
  });
});
