// SQL for the checkout saga's stored progress: steps moved by compare-and-set, worker leases,
// retries with backoff, and the search for orders that are due.
import type { Queryable } from '@minishop/kit/db';
import type { OrderStatus, SagaStep } from './orders.repository.ts';

/** Takes the saga lease unless another worker holds it; true when taken. */
export async function claimLease(db: Queryable, id: string, leaseMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE orders SET lease_until = now() + make_interval(secs => $2)
     WHERE id = $1 AND saga_step <> 'done' AND (lease_until IS NULL OR lease_until < now())`,
    [id, leaseMs / 1000],
  );
  return rowCount === 1;
}

/** Records the payment attempt under way (its outcome is not known yet). */
export async function setPaymentId(db: Queryable, id: string, paymentId: string): Promise<void> {
  await db.query('UPDATE orders SET payment_id = $2, updated_at = now() WHERE id = $1', [id, paymentId]);
}

/** Extends the caller's lease before a step that may take long. */
export async function renewLease(db: Queryable, id: string, leaseMs: number): Promise<void> {
  await db.query('UPDATE orders SET lease_until = now() + make_interval(secs => $2) WHERE id = $1', [
    id,
    leaseMs / 1000,
  ]);
}

export async function releaseLease(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE orders SET lease_until = NULL WHERE id = $1', [id]);
}

export interface StepChange {
  status?: OrderStatus;
  payment_id?: string | null;
  shipment_id?: string;
  tracking_number?: string;
  carrier?: string;
  attempt?: number;
  payment_method?: string;
  attention?: string | null;
  payment_error?: string | null;
  leaseMs?: number;
}

/**
 * Moves the saga from `from` to `to` (and the status, when given) only if it still stands at
 * `from`; false when someone else moved it first. Resets the retry counter.
 */
export async function advance(
  db: Queryable,
  id: string,
  from: SagaStep | SagaStep[],
  to: SagaStep,
  change: StepChange = {},
): Promise<boolean> {
  const sets = ['saga_step = $3', 'updated_at = now()', 'saga_attempts = 0', 'next_try_at = now()'];
  const params: unknown[] = [id, Array.isArray(from) ? from : [from], to];
  for (const key of [
    'status',
    'payment_id',
    'shipment_id',
    'tracking_number',
    'carrier',
    'attempt',
    'payment_method',
    'attention',
    'payment_error',
  ] as const) {
    if (change[key] !== undefined) {
      params.push(change[key]);
      sets.push(`${key} = $${params.length}`);
    }
  }
  if (change.leaseMs !== undefined) {
    params.push(change.leaseMs / 1000);
    sets.push(`lease_until = now() + make_interval(secs => $${params.length})`);
  }
  const { rowCount } = await db.query(
    `UPDATE orders SET ${sets.join(', ')} WHERE id = $1 AND saga_step = ANY($2::text[])`,
    params,
  );
  return rowCount === 1;
}

/** Records a failed try of the current step: the order is tried again after a backoff. */
export async function postpone(
  db: Queryable,
  id: string,
  delayMs: number,
  attention: string | null,
): Promise<number> {
  const { rows } = await db.query<{ saga_attempts: number }>(
    `UPDATE orders SET saga_attempts = saga_attempts + 1, lease_until = NULL,
       next_try_at = now() + make_interval(secs => $2), attention = COALESCE($3, attention), updated_at = now()
     WHERE id = $1 RETURNING saga_attempts`,
    [id, delayMs / 1000, attention],
  );
  return rows[0]?.saga_attempts ?? 0;
}

/** Orders whose saga is unfinished, due, and not driven by anyone right now. */
export async function dueOrders(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM orders
     WHERE saga_step <> 'done' AND next_try_at <= now() AND (lease_until IS NULL OR lease_until < now())
     ORDER BY next_try_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}
