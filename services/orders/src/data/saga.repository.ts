// SQL for the checkout saga's stored progress. A worker holds an order by a lease that names it
// (lease_owner); each step is written in one statement that checks the step it started from and
// the worker's name, renews or ends the lease, and returns the row, so nothing is read back; the
// step's status history line and its event are parts of the same statement.
import { prepared, type Queryable } from '@minishop/kit/db';
import {
  ITEMS_COLUMN,
  ORDER_COLUMNS,
  type CancelReason,
  type OrderRow,
  type OrderStatus,
  type SagaStep,
} from './orders.repository.ts';
import { enqueueWith, type NewEvent } from './outbox.repository.ts';

const secs = (ms: number) => ms / 1000;

export interface StepRecord {
  /** The order as the worker holds it in memory after the step; its saga fields are written. */
  order: OrderRow;
  /** The step the worker started from (compare-and-set). */
  from: SagaStep;
  to: SagaStep;
  /** A new status, written with a history row giving `reason`. */
  status?: { to: OrderStatus; reason: string };
  /** Write the items' names and prices from `order.items` (the reservation's snapshot). */
  prices?: boolean;
  /** Keep the order for this long (the next step runs now); null ends the lease. */
  leaseMs: number | null;
  /** Tries of the step the order now stands at, and when it is due again. */
  tries: number;
  retryInMs: number;
  /** An event announcing the step, written in the same statement (only if the step is). */
  event?: NewEvent;
}

/**
 * Writes a step's outcome; null when the order is no longer at `from` under this worker's lease
 * (someone else moved it or took it over), in which case nothing is written.
 */
export async function recordStep(
  db: Queryable,
  owner: string,
  record: StepRecord,
): Promise<Omit<OrderRow, 'items'> | null> {
  const { order } = record;
  const params: unknown[] = [
    order.id,
    record.from,
    owner,
    record.to,
    record.status?.to ?? null,
    order.payment_id,
    order.shipment_id,
    order.tracking_number,
    order.carrier,
    order.attention,
    order.payment_error,
    order.cancel_reason,
    order.total_cents,
    record.tries,
    secs(record.retryInMs),
    record.leaseMs === null ? null : secs(record.leaseMs),
  ];
  const extra: string[] = [];
  if (record.prices) {
    params.push(
      order.items.map((i) => i.product_id),
      order.items.map((i) => i.name),
      order.items.map((i) => i.unit_price_cents),
    );
    extra.push(`prices AS (
      UPDATE order_items i SET name = p.name, unit_price_cents = p.price
      FROM stepped, unnest($17::uuid[], $18::text[], $19::bigint[]) AS p(product_id, name, price)
      WHERE i.order_id = stepped.id AND i.product_id = p.product_id)`);
  }
  if (record.status) {
    params.push(record.status.reason);
    extra.push(`history AS (
      INSERT INTO order_status_history (order_id, status, reason)
      SELECT id, status, $${params.length} FROM stepped)`);
  }
  if (record.event) {
    const announced = enqueueWith('stepped', params.length + 1, record.event);
    params.push(...announced.params);
    extra.push(`announced AS (${announced.sql})`);
  }
  const { rows } = await db.query<Omit<OrderRow, 'items'>>(
    prepared(
      `WITH stepped AS (
       UPDATE orders SET saga_step = $4, status = coalesce($5, status), payment_id = $6, shipment_id = $7,
         tracking_number = $8, carrier = $9, attention = $10, payment_error = $11, cancel_reason = $12,
         total_cents = $13, saga_attempts = $14, next_try_at = now() + make_interval(secs => $15),
         lease_until = now() + make_interval(secs => $16::float8), updated_at = now()
       WHERE id = $1 AND saga_step = $2 AND lease_owner = $3
       RETURNING ${ORDER_COLUMNS})
     ${extra.map((cte) => `, ${cte}`).join('\n')}
     SELECT * FROM stepped`,
      params,
    ),
  );
  return rows[0] ?? null;
}

const FREE = '(lease_until IS NULL OR lease_until < now())';

/** How long a claim holds an order: a charge needs longer than the other steps. */
export interface Lease {
  ms: number;
  chargingMs: number;
}

const LEASE_FOR_STEP = `now() + make_interval(secs => CASE WHEN saga_step = 'charging' THEN $4::float8 ELSE $3::float8 END)`;

/** Takes the lease of one unfinished order nobody holds; the order with its items, or null. */
export async function claimOrder(
  db: Queryable,
  id: string,
  owner: string,
  lease: Lease,
): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `UPDATE orders SET lease_until = ${LEASE_FOR_STEP}, lease_owner = $2
     WHERE id = $1 AND saga_step <> 'done' AND ${FREE}
     RETURNING ${ORDER_COLUMNS}, ${ITEMS_COLUMN}`,
    [id, owner, secs(lease.ms), secs(lease.chargingMs)],
  );
  return rows[0] ?? null;
}

/** Takes the lease of up to `limit` unfinished orders that are due and free (the resumer). */
export async function claimDue(
  db: Queryable,
  owner: string,
  lease: Lease,
  limit: number,
): Promise<OrderRow[]> {
  const { rows } = await db.query<OrderRow>(
    `UPDATE orders SET lease_until = ${LEASE_FOR_STEP}, lease_owner = $2
     WHERE id IN (
       SELECT id FROM orders WHERE saga_step <> 'done' AND next_try_at <= now() AND ${FREE}
       ORDER BY next_try_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     AND ${FREE}
     RETURNING ${ORDER_COLUMNS}, ${ITEMS_COLUMN}`,
    [limit, owner, secs(lease.ms), secs(lease.chargingMs)],
  );
  return rows;
}

/**
 * Takes a paid order that has not shipped into `refunding` (a cancellation, by its buyer or the
 * shop), with its lease; null when it is not paid, is held by a worker, or its checkout is still running.
 */
export async function claimForRefund(
  db: Queryable,
  id: string,
  owner: string,
  leaseMs: number,
  cancelReason: CancelReason,
): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `UPDATE orders SET saga_step = 'refunding', attention = NULL, cancel_reason = $4,
       saga_attempts = 0, next_try_at = now(),
       lease_until = now() + make_interval(secs => $3), lease_owner = $2, updated_at = now()
     WHERE id = $1 AND status = 'paid' AND saga_step IN ('done', 'clearing') AND ${FREE}
     RETURNING ${ORDER_COLUMNS}, ${ITEMS_COLUMN}`,
    [id, owner, secs(leaseMs), cancelReason],
  );
  return rows[0] ?? null;
}

/** Starts the next payment attempt of a failed order from `reserving`, with its lease. */
export async function claimForRetry(
  db: Queryable,
  id: string,
  owner: string,
  leaseMs: number,
  paymentMethod: string | undefined,
): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `UPDATE orders SET saga_step = 'reserving', status = 'pending', attempt = attempt + 1,
       payment_method = coalesce($4, payment_method), payment_id = NULL, payment_error = NULL,
       saga_attempts = 0, next_try_at = now(), lease_until = now() + make_interval(secs => $3),
       lease_owner = $2, updated_at = now()
     WHERE id = $1 AND status = 'payment_failed' AND saga_step = 'done'
     RETURNING ${ORDER_COLUMNS}, ${ITEMS_COLUMN}`,
    [id, owner, secs(leaseMs), paymentMethod ?? null],
  );
  return rows[0] ?? null;
}

/**
 * Cancels an order whose payment failed (nothing is held for it), with why (`cancelReason`) and its
 * history line (`reason`); null when it changed meanwhile.
 */
export async function cancelFailed(
  db: Queryable,
  id: string,
  cancelReason: CancelReason,
  reason: string,
): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `WITH cancelled AS (
       UPDATE orders SET status = 'cancelled', cancel_reason = $3, updated_at = now()
       WHERE id = $1 AND status = 'payment_failed' AND saga_step = 'done'
       RETURNING ${ORDER_COLUMNS}, ${ITEMS_COLUMN}),
     history AS (
       INSERT INTO order_status_history (order_id, status, reason) SELECT id, 'cancelled', $2 FROM cancelled)
     SELECT * FROM cancelled`,
    [id, reason, cancelReason],
  );
  return rows[0] ?? null;
}

/**
 * Removes an order that never got its stock (nothing was charged or announced) and, with a key,
 * stores the answer its replays get, in one statement.
 */
export async function removeUnreserved(
  db: Queryable,
  id: string,
  owner: string,
  answer?: { userId: string; key: string; status: number; body: Record<string, unknown> },
): Promise<void> {
  await db.query(
    `WITH removed AS (
       DELETE FROM orders WHERE id = $1 AND lease_owner = $2 AND saga_step = 'reserving' AND attempt = 1
       RETURNING id)
     UPDATE idempotency_keys SET response_status = $5, response_body = $6
     WHERE user_id = $3 AND key = $4 AND order_id IN (SELECT id FROM removed)`,
    [id, owner, answer?.userId ?? null, answer?.key ?? null, answer?.status ?? null, answer?.body ?? null],
  );
}
