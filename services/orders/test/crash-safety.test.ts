// What a crash, a failed write or a lost lease can leave behind in the checkout: writes that a
// crash could split are single statements, and a worker that lost its order to another neither
// writes nor calls anything more. A failing trigger stands for a crash in the middle of a write.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '@minishop/kit/db';
import { eventually } from '@minishop/devstack/testing';
import * as orders from '../src/data/orders.repository.ts';
import { resumeDue } from '../src/domain/checkout-saga.ts';
import { placeOrder } from '../src/domain/place-order.ts';
import { ADDRESS, eventsOf, makeDue, sagaDatabase, sagaSetup } from './saga-harness.ts';

let pool: Pool;
beforeAll(async () => {
  pool = await sagaDatabase('orders_crash');
  // Writes that touch a row named in `broken` fail, as if the process died inside them.
  await pool.query(`
    CREATE TABLE broken (id uuid PRIMARY KEY);
    CREATE FUNCTION fail_if_broken() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM broken WHERE id = (to_jsonb(NEW) ->> TG_ARGV[0])::uuid) THEN
        RAISE EXCEPTION 'the write was cut short';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER order_items_broken BEFORE INSERT ON order_items
      FOR EACH ROW EXECUTE FUNCTION fail_if_broken('product_id');
    CREATE TRIGGER keys_broken BEFORE UPDATE ON idempotency_keys
      FOR EACH ROW EXECUTE FUNCTION fail_if_broken('user_id');
  `);
}, 120_000);
afterAll(() => pool?.end());

const countOf = async (sql: string, id: string) => Number((await pool.query(sql, [id])).rows[0].count);

describe('writes a crash could split', () => {
  it('never leaves an order without its lines, nor a key without its order', async () => {
    const t = sagaSetup(pool);
    const key = randomUUID();
    await pool.query('INSERT INTO broken VALUES ($1)', [t.product]);
    await expect(placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, key)).rejects.toThrow(
      /cut short/,
    );
    expect(await countOf('SELECT count(*) FROM orders WHERE user_id = $1', t.customer.id)).toBe(0);
    expect(await countOf('SELECT count(*) FROM idempotency_keys WHERE user_id = $1', t.customer.id)).toBe(0);

    // Nothing was left half-done: the buyer's retry with the same key places the order afresh.
    await pool.query('DELETE FROM broken WHERE id = $1', [t.product]);
    const { order, replayed } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, key);
    expect(replayed).toBe(false);
    expect(order).toMatchObject({ status: 'paid', total_cents: 500 });
    expect(order.items).toHaveLength(1);
  });

  it('removes an order refused for stock together with the answer its key keeps', async () => {
    const t = sagaSetup(pool, { stock: new Map() });
    const key = randomUUID();
    const refusal = placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, key);
    await expect(refusal).rejects.toMatchObject({
      kind: 'conflict',
      details: { short: [expect.anything()] },
    });
    expect(await countOf('SELECT count(*) FROM orders WHERE user_id = $1', t.customer.id)).toBe(0);
    const replay = placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, key);
    await expect(replay).rejects.toMatchObject({
      kind: 'conflict',
      details: { short: [{ product_id: t.product, requested: 2, available: 0 }] },
    });
    expect(t.count('reserve')).toBe(1);
  });

  it('keeps an order whose removal failed, and cancels it later with an email instead of a 409', async () => {
    const t = sagaSetup(pool, { stock: new Map() });
    const key = randomUUID();
    await pool.query('INSERT INTO broken VALUES ($1)', [t.customer.id]);
    // The removal and the key's answer fail together: the order stays, and the buyer is shown it.
    const shown = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, key);
    await pool.query('DELETE FROM broken WHERE id = $1', [t.customer.id]);
    expect(shown.order).toMatchObject({ status: 'pending', saga_step: 'reserving' });
    const orderId = shown.order.id;
    expect(await countOf('SELECT count(*) FROM orders WHERE user_id = $1', t.customer.id)).toBe(1);
    const unanswered =
      'SELECT count(*) FROM idempotency_keys WHERE order_id = $1 AND response_status IS NULL';
    expect(await countOf(unanswered, orderId)).toBe(1);

    await makeDue(pool, orderId);
    await resumeDue(t.deps);
    expect((await orders.findOrder(pool, orderId))!.status).toBe('cancelled');
    expect((await eventsOf(pool, orderId)).map((e) => e.type)).toEqual(['OrderCancelled']);
    const { order, replayed } = await placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, key);
    expect(replayed).toBe(true);
    expect(order).toMatchObject({ id: orderId, status: 'cancelled' });
  });
});

/** An order whose first worker is held in its charge (lease 500 ms, payment timeout 300 ms) until released. */
async function firstWorkerCharging() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const t = sagaSetup(pool, { holdFirstCharge: held }, { leaseMs: 500, paymentTimeoutMs: 300 });
  const first = placeOrder(t.deps, t.customer, { shipping_address: ADDRESS }, undefined);
  await eventually(async () => t.count('charge') === 1, 'the first worker to be charging');
  const charge = t.calls.find((c) => c.name === 'charge')!;
  const orderId = (charge.args[0] as { order_id: string }).order_id;
  return { t, first, release, charge, orderId };
}

describe('leases', () => {
  it('a worker that lost its order to another writes nothing and sends nothing after its deadline', async () => {
    const { t, first, release, charge, orderId } = await firstWorkerCharging();
    // The charge is sent with a deadline that ends before the lease it runs under.
    const { rows } = await pool.query<{ lease_until: Date }>('SELECT lease_until FROM orders WHERE id = $1', [
      orderId,
    ]);
    const deadlineAt = Date.now() + (charge.deadline! - performance.now());
    expect(deadlineAt).toBeLessThan(rows[0]!.lease_until.getTime());

    // The first worker is stuck past its lease; the resumer takes the order over and finishes it.
    await eventually(async () => (await resumeDue(t.deps)) === 1, 'the resumer to take the order over');
    const done = (await orders.findOrder(pool, orderId))!;
    expect(done).toMatchObject({ status: 'paid', saga_step: 'done' });

    const resumed = performance.now();
    release();
    const answered = (await first).order;
    expect(answered).toMatchObject({ id: orderId, status: 'paid', saga_step: 'done' });
    const late = t.calls.filter((c) => c.at >= resumed);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((c) => c.late)).toBe(true);
    expect((await orders.findOrder(pool, orderId))!).toMatchObject({
      saga_attempts: 0,
      attention: null,
      updated_at: done.updated_at,
    });
    expect((await orders.historyOf(pool, orderId)).map((h) => h.status)).toEqual(['pending', 'paid']);
    expect((await eventsOf(pool, orderId)).map((e) => e.type)).toEqual(['OrderPlaced', 'PaymentConfirmed']);
  });

  it('a worker that lost its lease cannot write over the new holder, even at the same step', async () => {
    const { t, first, release, orderId } = await firstWorkerCharging();

    // The new holder finds the payment still pending and leaves the order at `charging` for later.
    t.state.payment = 'pending';
    await eventually(async () => (await resumeDue(t.deps)) === 1, 'the resumer to take the order over');
    const waiting = (await orders.findOrder(pool, orderId))!;
    expect(waiting).toMatchObject({ saga_step: 'charging', saga_attempts: 1, lease_until: null });

    // The first worker's charge now answers "succeeded"; what it then tries must change nothing.
    t.state.payment = 'succeeded';
    release();
    expect((await first).order).toMatchObject({ id: orderId, saga_step: 'charging' });
    expect((await orders.findOrder(pool, orderId))!).toMatchObject({
      saga_step: 'charging',
      saga_attempts: 1,
      updated_at: waiting.updated_at,
    });
    expect(t.count('createShipment')).toBe(0);
  });
});
