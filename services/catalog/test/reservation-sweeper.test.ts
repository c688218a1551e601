// The sweeper runs against its own database so that expiring "everything due" touches only
// this file's reservations.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredReservations } from '../src/domain/reservation-sweeper.ts';
import { startCatalog, type Catalog } from './catalog-harness.ts';

let catalog: Catalog;

beforeAll(async () => {
  catalog = await startCatalog({ RESERVATION_TTL_SECONDS: '60' });
});

afterAll(async () => {
  await catalog?.close();
});

function reserve(orderId: string, productId: string, quantity: number) {
  return catalog.request('POST', '/catalog/reservations', {
    token: catalog.reserveToken,
    body: { order_id: orderId, items: [{ product_id: productId, quantity }] },
  });
}

function action(orderId: string, verb: 'commit' | 'release') {
  return catalog.request('POST', `/catalog/reservations/${orderId}/${verb}`, { token: catalog.reserveToken });
}

const afterTtl = () => new Date(Date.now() + 61_000);

describe('reservation sweeper', () => {
  it('leaves reservations alone until they expire', async () => {
    const product = await catalog.createProduct({ stock: 5 });
    const orderId = randomUUID();
    await reserve(orderId, product.id, 2);
    await sweepExpiredReservations(catalog.pool);
    const read = await catalog.request('GET', `/catalog/reservations/${orderId}`, {
      token: catalog.reserveToken,
    });
    expect(read.body.status).toBe('reserved');
    expect(await catalog.stockOf(product.id)).toBe(3);
  });

  it('expires abandoned reservations and returns their stock, but not committed or released ones', async () => {
    const product = await catalog.createProduct({ stock: 10 });
    const abandoned = randomUUID();
    const committed = randomUUID();
    const released = randomUUID();
    await reserve(abandoned, product.id, 3);
    await reserve(committed, product.id, 2);
    await reserve(released, product.id, 1);
    await action(committed, 'commit');
    await action(released, 'release');
    expect(await catalog.stockOf(product.id)).toBe(5);

    expect(await sweepExpiredReservations(catalog.pool, { asOf: afterTtl() })).toBeGreaterThanOrEqual(1);
    expect(await catalog.stockOf(product.id)).toBe(8);
    const status = async (orderId: string) =>
      (await catalog.request('GET', `/catalog/reservations/${orderId}`, { token: catalog.reserveToken })).body
        .status;
    expect(await status(abandoned)).toBe('expired');
    expect(await status(committed)).toBe('committed');
    expect(await status(released)).toBe('released');

    // Sweeping again gives nothing back twice; releasing an expired reservation changes nothing.
    await sweepExpiredReservations(catalog.pool, { asOf: afterTtl() });
    expect((await action(abandoned, 'release')).body.status).toBe('expired');
    expect(await catalog.stockOf(product.id)).toBe(8);
  });

  it('works through more due reservations than one batch, from parallel sweepers, exactly once', async () => {
    const product = await catalog.createProduct({ stock: 30 });
    const orders = Array.from({ length: 25 }, () => randomUUID());
    for (const orderId of orders) await reserve(orderId, product.id, 1);
    expect(await catalog.stockOf(product.id)).toBe(5);
    const asOf = afterTtl();
    const counts = await Promise.all([
      sweepExpiredReservations(catalog.pool, { asOf, batchSize: 4 }),
      sweepExpiredReservations(catalog.pool, { asOf, batchSize: 4 }),
      sweepExpiredReservations(catalog.pool, { asOf, batchSize: 4 }),
    ]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(25);
    expect(await catalog.stockOf(product.id)).toBe(30);
  });

  it('commits an expired reservation only while its units are still in stock', async () => {
    const product = await catalog.createProduct({ stock: 2 });
    const lucky = randomUUID();
    const unlucky = randomUUID();
    await reserve(lucky, product.id, 1);
    await reserve(unlucky, product.id, 1);
    await sweepExpiredReservations(catalog.pool, { asOf: afterTtl() });
    expect(await catalog.stockOf(product.id)).toBe(2);

    const commit = await action(lucky, 'commit');
    expect(commit.status).toBe(200);
    expect(commit.body.status).toBe('committed');
    expect(await catalog.stockOf(product.id)).toBe(1);

    // Someone else buys the last unit before the late payment of the other order arrives.
    await reserve(randomUUID(), product.id, 1);
    const late = await action(unlucky, 'commit');
    expect(late.status).toBe(409);
    expect(late.body.short).toEqual([{ product_id: product.id, requested: 1, available: 0 }]);
    expect(await catalog.stockOf(product.id)).toBe(0);
  });
});
