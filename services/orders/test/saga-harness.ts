// What the saga's tests share: a migrated database of their own, a buyer, and the services Orders
// calls played by a script that each test sets up for what it needs.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import { createPool, migrate, type Pool } from '@minishop/kit/db';
import { testDatabaseUrl } from '@minishop/devstack/testing';
import type { SagaDeps } from '../src/domain/checkout-saga.ts';
import type { Customer } from '../src/domain/place-order.ts';
import { scriptedUpstreams, type Script } from './scripted-upstreams.ts';

export const ADDRESS = {
  name: 'Grace Hopper',
  line1: '1 Navy Way',
  city: 'Arlington',
  postal_code: '22201',
  country: 'US',
};

export async function sagaDatabase(name: string): Promise<Pool> {
  const pool = createPool(await testDatabaseUrl(name));
  await migrate(pool, path.join(import.meta.dirname, '../migrations'));
  return pool;
}

/** A buyer with two units of a fresh product in the cart (five in stock), and the saga's deps. */
export function sagaSetup(
  pool: Pool,
  script: Partial<Script> = {},
  timing: Partial<Pick<SagaDeps, 'leaseMs' | 'paymentTimeoutMs'>> = {},
) {
  const product = randomUUID();
  const scripted = scriptedUpstreams({
    cart: [{ product_id: product, quantity: 2 }],
    stock: new Map([[product, 5]]),
    ...script,
  });
  // What an operator would read at the production level.
  const logs: { level: number; msg: string; orderId?: string }[] = [];
  const deps: SagaDeps = {
    pool,
    upstreams: scripted.upstreams,
    log: pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    leaseMs: 60_000,
    paymentTimeoutMs: 1_000,
    ...timing,
  };
  const customer: Customer = { id: randomUUID(), email: 'grace@example.test', role: 'customer' };
  return { ...scripted, deps, customer, product, logs };
}

/** Makes the order due now, as if its backoff or a dead worker's lease had passed. */
export async function makeDue(pool: Pool, id: string) {
  await pool.query('UPDATE orders SET next_try_at = now(), lease_until = NULL WHERE id = $1', [id]);
}

/** The events Orders has written to its outbox for an order, oldest first. */
export async function eventsOf(pool: Pool, orderId: string) {
  const { rows } = await pool.query<{ type: string; event_id: string; payload: Record<string, unknown> }>(
    'SELECT type, event_id, payload FROM outbox WHERE order_id = $1 ORDER BY seq',
    [orderId],
  );
  return rows;
}
