// The checkout saga's compensations and retries against a real database, with the services it
// calls played by a script (each of those has its own tests; here they misbehave on purpose).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '@minishop/kit/db';
import * as orders from '../src/data/orders.repository.ts';
import { driveOrder, resumeDue } from '../src/domain/checkout-saga.ts';
import { cancelOrder, listOrders } from '../src/domain/order-actions.ts';
import { placeOrder } from '../src/domain/place-order.ts';
import { orderView } from '../src/domain/order-view.ts';
import { ADDRESS, eventsOf, makeDue as makeDueIn, sagaDatabase, sagaSetup } from './saga-harness.ts';
import type { Script } from './scripted-upstreams.ts';

let pool: Pool;
beforeAll(async () => {
  pool = await sagaDatabase('orders_saga');
});
afterAll(() => pool?.end());

const setup = (script: Partial<Script> = {}) => sagaSetup(pool, script);
const makeDue = (id: string) => makeDueIn(pool, id);

/** A member of staff, never the buyer of the orders a test places. */
const adminOf = () => ({ id: randomUUID(), email: 'staff@example.test', role: 'admin' as const });

async function history(id: string) {
  return (await orders.historyOf(pool, id)).map((h) => h.status);
}

describe('checkout saga', () => {
  it('pays, ships and announces an order in one go when everything works', async () => {
    const t = setup();
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    expect(order).toMatchObject({ status: 'paid', saga_step: 'done', total_cents: 500 });
    expect(t.count('charge')).toBe(1);
    expect(t.count('clearCart')).toBe(1);
    expect(await history(order.id)).toEqual(['pending', 'paid']);
    expect(t.logs).toEqual([]); // nothing for an operator to act on
  });

  it('keeps a pending payment on the order and finishes it once the provider answers', async () => {
    const t = setup({ payment: 'pending' });
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    expect(order.status).toBe('pending');
    expect(order.payment_id).toEqual(expect.any(String));
    t.state.payment = 'succeeded';
    await makeDue(order.id);
    await resumeDue(t.deps);
    const done = (await orders.findOrder(pool, order.id))!;
    expect(done.status).toBe('paid');
    expect(done.payment_id).toBe(order.payment_id);
  });

  it('cancels (does not delete) an order the buyer was shown when its stock vanished before it was reserved', async () => {
    const t = setup({ failures: { reserve: 1 } });
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    expect(order.status).toBe('pending');
    t.state.stock.set(t.product, 0);
    await makeDue(order.id);
    await resumeDue(t.deps);
    const after = (await orders.findOrder(pool, order.id))!;
    expect(after.status).toBe('cancelled');
    expect(t.count('charge')).toBe(0);
    expect((await orders.historyOf(pool, order.id)).at(-1)?.reason).toMatch(/out of stock/);
    expect(t.logs).toContainEqual(
      expect.objectContaining({ level: 40, orderId: order.id, msg: expect.stringMatching(/out of stock/) }),
    );
    // The buyer saw a 201 pending: they are told, with what was missing.
    const cancelled = (await eventsOf(pool, order.id)).filter((e) => e.type === 'OrderCancelled');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.event_id).toBe(`${order.id}:OrderCancelled:1`);
    expect(cancelled[0]!.payload).toMatchObject({
      order_id: order.id,
      status: 'cancelled',
      reason: 'out_of_stock',
      refunded: false,
      short: [{ product_id: t.product, name: 'Thing', requested: 2, available: 0 }],
      items: [{ product_id: t.product, name: 'Thing', quantity: 2 }],
    });
  });

  it('refunds and cancels a paid order whose reservation was gone by the time it was committed', async () => {
    const t = setup({ commitGone: true });
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    expect(order.status).toBe('cancelled');
    expect(t.count('refund')).toBe(1);
    expect(t.count('createShipment')).toBe(0);
    expect(order.attention).toMatch(/reservation expired/);
    const types = (await eventsOf(pool, order.id)).map((e) => [e.type, e.payload.reason, e.payload.refunded]);
    expect(types).toEqual([
      ['OrderPlaced', undefined, undefined],
      ['OrderCancelled', 'stock_lost_after_payment', true],
    ]);
  });

  it('tells the buyer their cancellation of a paid order went through and was refunded', async () => {
    const t = setup();
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    const cancelled = await cancelOrder(t.deps, t.customer, order.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: 'requested' });
    expect(t.count('refund')).toBe(1);
    expect((await orders.historyOf(pool, order.id)).at(-1)?.reason).toBe('cancelled by the customer');
    const last = (await eventsOf(pool, order.id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'OrderCancelled',
      payload: { reason: 'requested', refunded: true, status: 'cancelled', total_price: '5.00' },
    });
  });

  it('tells the buyer the shop cancelled and refunded their paid order when an admin cancels it', async () => {
    const t = setup();
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    const cancelled = await cancelOrder(t.deps, adminOf(), order.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: 'by_shop' });
    expect(t.count('refund')).toBe(1);
    expect((await orders.historyOf(pool, order.id)).at(-1)?.reason).toBe('cancelled by the shop');
    // A cancellation someone chose is news, not a warning.
    expect(t.logs).toContainEqual(
      expect.objectContaining({ level: 30, orderId: order.id, reason: 'cancelled by the shop' }),
    );
    const last = (await eventsOf(pool, order.id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'OrderCancelled',
      payload: { reason: 'by_shop', refunded: true, status: 'cancelled' },
    });
  });

  it('says who cancelled an order whose payment failed: the shop for an admin, else the buyer', async () => {
    for (const [who, reason, history] of [
      ['buyer', 'requested', 'cancelled by the customer'],
      ['admin', 'by_shop', 'cancelled by the shop'],
    ] as const) {
      const t = setup({ payment: 'failed' });
      const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
      expect(order.status).toBe('payment_failed');
      const cancelled = await cancelOrder(t.deps, who === 'admin' ? adminOf() : t.customer, order.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: reason });
      expect((await orders.historyOf(pool, order.id)).at(-1)?.reason).toBe(history);
      const last = (await eventsOf(pool, order.id)).at(-1)!;
      expect(last).toMatchObject({ type: 'OrderCancelled', payload: { reason, refunded: false } });
    }
  });

  it('counts an admin cancelling their own order as a buyer asking', async () => {
    const t = setup();
    const admin = { ...t.customer, role: 'admin' as const };
    const { order } = await placeOrder(t.deps, admin, { shipping_address: ADDRESS }, undefined);
    const cancelled = await cancelOrder(t.deps, admin, order.id);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_reason: 'requested' });
    expect((await eventsOf(pool, order.id)).at(-1)!.payload).toMatchObject({ reason: 'requested' });
  });

  it('flags a paid order for an admin when its shipment keeps failing, and clears the flag once shipped', async () => {
    const t = setup({ failures: { createShipment: 6 } });
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    expect(order.status).toBe('pending');
    for (let i = 0; i < 5; i++) {
      await makeDue(order.id);
      await driveOrder(t.deps, order.id);
    }
    const flagged = (await orders.findOrder(pool, order.id))!;
    expect(flagged.attention).toMatch(/shipping keeps failing/);
    const flags = t.logs.filter((l) => l.msg === 'checkout needs attention' && l.orderId === order.id);
    expect(flags).toHaveLength(1);
    expect(orderView(flagged, { admin: true }).attention).toMatch(/shipping/);
    expect(orderView(flagged)).not.toHaveProperty('attention');
    await makeDue(order.id);
    await driveOrder(t.deps, order.id);
    const shipped = (await orders.findOrder(pool, order.id))!;
    expect(shipped).toMatchObject({ status: 'paid', attention: null, saga_step: 'done' });
    expect(t.count('charge')).toBe(1);
  });

  it('refuses to cancel once the parcel is on its way, without refunding', async () => {
    const t = setup();
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    t.state.shipmentState = 'in_transit';
    await expect(cancelOrder(t.deps, t.customer, order.id)).rejects.toThrow(/already shipped/);
    expect(t.count('refund')).toBe(0);
    expect((await orders.findOrder(pool, order.id))!).toMatchObject({ status: 'paid', saga_step: 'done' });
  });

  it('lists by status, and lists an admin just the orders that need attention', async () => {
    const t = setup({ failures: { createShipment: 5 } });
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    for (let i = 0; i < 4; i++) {
      await makeDue(order.id);
      await driveOrder(t.deps, order.id);
    }
    const admin = { id: t.customer.id, email: 'admin@example.test', role: 'admin' as const };
    const page = { limit: 100, offset: 0 };
    const flagged = await listOrders(t.deps, admin, { ...page, attention: true });
    expect(flagged.orders.map((o) => o.id)).toContain(order.id);
    expect(flagged.orders.every((o) => o.attention !== null)).toBe(true);
    // A buyer's own list ignores the admin filter and shows only theirs, by status.
    const mine = await listOrders(t.deps, t.customer, { ...page, status: 'pending', attention: true });
    expect(mine.orders.map((o) => o.id)).toEqual([order.id]);
    expect((await listOrders(t.deps, t.customer, { ...page, status: 'paid' })).orders).toEqual([]);
  });

  it('releases the stock and reports the decline when the card is declined', async () => {
    const t = setup({ payment: 'failed' });
    const { order } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
    expect(order.status).toBe('payment_failed');
    expect(t.count('release')).toBe(1);
    expect(t.count('createShipment')).toBe(0);
  });
});
