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

function reserve(orderId: string, items: { product_id: string; quantity: number }[]) {
  return catalog.request('POST', '/catalog/reservations', {
    token: catalog.reserveToken,
    body: { order_id: orderId, items },
  });
}

function action(orderId: string, verb: 'commit' | 'release') {
  return catalog.request('POST', `/catalog/reservations/${orderId}/${verb}`, { token: catalog.reserveToken });
}

/** Commits or releases, and expects 200 with the reservation's resulting status. */
async function expectSettled(orderId: string, verb: 'commit' | 'release', status: string): Promise<void> {
  const res = await action(orderId, verb);
  expect(res.status).toBe(200);
  expect(res.body.status).toBe(status);
}

async function stock(productId: string): Promise<number> {
  return catalog.stockOf(productId);
}

describe('reserving stock', () => {
  it('reserves every item with the price snapshot and takes the units from stock', async () => {
    const lamp = await catalog.createProduct({ name: 'Reserved lamp', price: '19.99', stock: 5 });
    const mug = await catalog.createProduct({ name: 'Reserved mug', price: '4.50', stock: 3 });
    const orderId = randomUUID();
    const before = Date.now();
    const res = await reserve(orderId, [
      { product_id: lamp.id, quantity: 2 },
      { product_id: mug.id, quantity: 3 },
    ]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      order_id: orderId,
      status: 'reserved',
      total_price: '53.48',
      currency: 'USD',
    });
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        { product_id: lamp.id, name: 'Reserved lamp', unit_price: '19.99', quantity: 2 },
        { product_id: mug.id, name: 'Reserved mug', unit_price: '4.50', quantity: 3 },
      ]),
    );
    const ttlMs = catalog.config.RESERVATION_TTL_SECONDS * 1000;
    expect(Date.parse(res.body.expires_at)).toBeGreaterThanOrEqual(before + ttlMs - 5000);

    expect((await catalog.request('GET', `/catalog/products/${lamp.id}`)).body.stock).toBe(3);
    expect((await catalog.request('GET', `/catalog/products/${mug.id}`)).body.stock).toBe(0);

    const read = await catalog.request('GET', `/catalog/reservations/${orderId}`, {
      token: catalog.reserveToken,
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('keeps the reserved price when the product price changes later', async () => {
    const product = await catalog.createProduct({ price: '10.00', stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, [{ product_id: product.id, quantity: 1 }]);
    await catalog.request('PATCH', `/catalog/products/${product.id}`, {
      token: catalog.adminToken,
      body: { price: '99.00' },
    });
    const read = await catalog.request('GET', `/catalog/reservations/${orderId}`, {
      token: catalog.reserveToken,
    });
    expect(read.body.items[0].unit_price).toBe('10.00');
  });

  it('reserves all or nothing: one short item fails the order with 409 naming it', async () => {
    const plenty = await catalog.createProduct({ stock: 10 });
    const scarce = await catalog.createProduct({ stock: 1 });
    const orderId = randomUUID();
    const res = await reserve(orderId, [
      { product_id: plenty.id, quantity: 2 },
      { product_id: scarce.id, quantity: 3 },
    ]);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.short).toEqual([{ product_id: scarce.id, requested: 3, available: 1 }]);
    expect(await stock(plenty.id)).toBe(10);
    expect(await stock(scarce.id)).toBe(1);
    const read = await catalog.request('GET', `/catalog/reservations/${orderId}`, {
      token: catalog.reserveToken,
    });
    expect(read.status).toBe(404);
  });

  it('treats unknown and deleted products as out of stock', async () => {
    const deleted = await catalog.createProduct({ stock: 5 });
    await catalog.request('DELETE', `/catalog/products/${deleted.id}`, { token: catalog.adminToken });
    const unknown = randomUUID();
    const res = await reserve(randomUUID(), [
      { product_id: deleted.id, quantity: 1 },
      { product_id: unknown, quantity: 1 },
    ]);
    expect(res.status).toBe(409);
    expect(res.body.short).toEqual(
      expect.arrayContaining([
        { product_id: deleted.id, requested: 1, available: 0 },
        { product_id: unknown, requested: 1, available: 0 },
      ]),
    );
  });

  it('gives exactly the stock to 50 parallel orders of one unit each against stock 10', async () => {
    const product = await catalog.createProduct({ stock: 10 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => reserve(randomUUID(), [{ product_id: product.id, quantity: 1 }])),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(await stock(product.id)).toBe(0);
  });

  it('does not deadlock when parallel orders hold the same products listed in opposite order', async () => {
    const a = await catalog.createProduct({ stock: 100 });
    const b = await catalog.createProduct({ stock: 100 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reserve(
          randomUUID(),
          i % 2
            ? [
                { product_id: a.id, quantity: 1 },
                { product_id: b.id, quantity: 2 },
              ]
            : [
                { product_id: b.id, quantity: 2 },
                { product_id: a.id, quantity: 1 },
              ],
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(await stock(a.id)).toBe(80);
    expect(await stock(b.id)).toBe(60);
  });

  it('returns the existing reservation when the same order is reserved again', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    const first = await reserve(orderId, [{ product_id: product.id, quantity: 2 }]);
    const again = await reserve(orderId, [{ product_id: product.id, quantity: 2 }]);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await stock(product.id)).toBe(3);
  });

  it('reserves only once when the same order arrives several times at once', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => reserve(orderId, [{ product_id: product.id, quantity: 2 }])),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(await stock(product.id)).toBe(3);
  });

  it('rejects the same order id with different items with 422 and keeps the first reservation', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const other = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, [{ product_id: product.id, quantity: 1 }]);
    for (const items of [
      [{ product_id: product.id, quantity: 2 }],
      [{ product_id: other.id, quantity: 1 }],
      [
        { product_id: product.id, quantity: 1 },
        { product_id: other.id, quantity: 1 },
      ],
    ]) {
      expect((await reserve(orderId, items)).status).toBe(422);
    }
    expect(await stock(product.id)).toBe(4);
    expect(await stock(other.id)).toBe(5);
  });

  it('rejects invalid reservation requests with 422 and reserves nothing', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const item = { product_id: product.id, quantity: 1 };
    for (const body of [
      { order_id: 'not-a-uuid', items: [item] },
      { order_id: randomUUID(), items: [] },
      { order_id: randomUUID(), items: [{ ...item, quantity: 0 }] },
      { order_id: randomUUID(), items: [{ ...item, quantity: -1 }] },
      { order_id: randomUUID(), items: [{ ...item, quantity: 1.5 }] },
      { order_id: randomUUID(), items: [{ ...item, unit_price: '0.01' }] },
      { order_id: randomUUID(), items: [item], status: 'committed' },
      { order_id: randomUUID(), items: [item, item] },
    ]) {
      const res = await catalog.request('POST', '/catalog/reservations', {
        token: catalog.reserveToken,
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    const malformed = await catalog.request('POST', '/catalog/reservations', {
      token: catalog.reserveToken,
      rawBody: '{"order_id":',
    });
    expect(malformed.status).toBe(400);
    expect(await stock(product.id)).toBe(5);
  });
});

describe('committing and releasing', () => {
  it('commits a reservation once; repeating the commit changes nothing', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, [{ product_id: product.id, quantity: 2 }]);
    await expectSettled(orderId, 'commit', 'committed');
    await expectSettled(orderId, 'commit', 'committed');
    expect(await stock(product.id)).toBe(3);
    // Releasing a committed reservation returns sold units: the order was cancelled and refunded.
    await expectSettled(orderId, 'release', 'released');
    expect(await stock(product.id)).toBe(5);
    expect((await action(orderId, 'release')).status).toBe(200);
    expect(await stock(product.id)).toBe(5);
  });

  it('releases a reservation: the units return to stock exactly once', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, [{ product_id: product.id, quantity: 4 }]);
    expect(await stock(product.id)).toBe(1);
    await expectSettled(orderId, 'release', 'released');
    expect(await stock(product.id)).toBe(5);
    await expectSettled(orderId, 'release', 'released');
    expect(await stock(product.id)).toBe(5);
    expect((await action(orderId, 'commit')).status).toBe(409);
  });

  it('takes a released reservation from stock again when the order pays again, or says what is short', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, [{ product_id: product.id, quantity: 4 }]);
    await action(orderId, 'release');
    const again = await reserve(orderId, [{ product_id: product.id, quantity: 4 }]);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('reserved');
    expect(await stock(product.id)).toBe(1);
    await action(orderId, 'release');
    await reserve(randomUUID(), [{ product_id: product.id, quantity: 3 }]);
    const short = await reserve(orderId, [{ product_id: product.id, quantity: 4 }]);
    expect(short.status).toBe(409);
    expect(short.body.short).toEqual([{ product_id: product.id, requested: 4, available: 2 }]);
    expect(await stock(product.id)).toBe(2);
  });

  it('returns the units of parallel releases of the same order only once', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, [{ product_id: product.id, quantity: 3 }]);
    const results = await Promise.all(Array.from({ length: 5 }, () => action(orderId, 'release')));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(await stock(product.id)).toBe(5);
  });

  it('keeps reservations of a deleted product valid', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const committed = randomUUID();
    const released = randomUUID();
    await reserve(committed, [{ product_id: product.id, quantity: 1 }]);
    await reserve(released, [{ product_id: product.id, quantity: 2 }]);
    await catalog.request('DELETE', `/catalog/products/${product.id}`, { token: catalog.adminToken });
    expect((await action(committed, 'commit')).body.status).toBe('committed');
    expect((await action(released, 'release')).body.status).toBe('released');
    expect(await stock(product.id)).toBe(4);
  });

  it('answers unknown orders with 404 and non-UUID order ids with 422', async () => {
    const unknown = randomUUID();
    expect((await action(unknown, 'commit')).status).toBe(404);
    expect((await action(unknown, 'release')).status).toBe(404);
    const read = await catalog.request('GET', `/catalog/reservations/${unknown}`, {
      token: catalog.reserveToken,
    });
    expect(read.status).toBe(404);
    expect((await action('nope', 'commit')).status).toBe(422);
    expect((await action('nope', 'release')).status).toBe(422);
    expect(
      (await catalog.request('GET', '/catalog/reservations/nope', { token: catalog.reserveToken })).status,
    ).toBe(422);
  });
});
