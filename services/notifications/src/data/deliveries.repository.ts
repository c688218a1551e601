// SQL of the delivery log: storing an event once, handing due deliveries to one worker at a time
// (FOR UPDATE SKIP LOCKED plus a lease), and recording each attempt's result.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '@minishop/kit/db';

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface Delivery {
  id: string;
  event_id: string;
  type: string;
  recipient: string;
  data: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
  sent_at: Date | null;
}

export interface NewDelivery {
  event_id: string;
  type: string;
  recipient: string;
  data: Record<string, unknown>;
}

/** Stores the event unless its id is known; true when it was new. */
export async function insertDelivery(db: Queryable, delivery: NewDelivery): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO deliveries (id, event_id, type, recipient, data) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id) DO NOTHING`,
    [randomUUID(), delivery.event_id, delivery.type, delivery.recipient, JSON.stringify(delivery.data)],
  );
  return rowCount === 1;
}

/**
 * Takes up to `limit` due deliveries for this worker: each gets its attempt counted and is not
 * due again until the lease ends, so other workers skip it while it is being sent.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<Delivery[]> {
  const { rows } = await db.query<Delivery>(
    `UPDATE deliveries SET attempts = attempts + 1,
       next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
       updated_at = now()
     WHERE id IN (
       SELECT id FROM deliveries
       WHERE status = 'pending' AND next_attempt_at <= now()
       ORDER BY next_attempt_at
       LIMIT $1
       FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [limit, leaseMs],
  );
  return rows;
}

export async function markSent(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE deliveries SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now()
     WHERE id = $1 AND status = 'pending'`,
    [id],
  );
}

/** Records a failed attempt: due again after `retryInMs`, or failed for good when null. */
export async function markAttemptFailed(
  db: Queryable,
  id: string,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await db.query(
    `UPDATE deliveries SET
       status = CASE WHEN $3::double precision IS NULL THEN 'failed' ELSE 'pending' END,
       next_attempt_at = CASE WHEN $3::double precision IS NULL THEN next_attempt_at
                              ELSE now() + make_interval(secs => $3::double precision / 1000) END,
       last_error = $2, updated_at = now()
     WHERE id = $1 AND status = 'pending'`,
    [id, error.slice(0, 1000), retryInMs],
  );
}

export interface LogQuery {
  to?: string;
  limit: number;
  offset: number;
}

export async function listDeliveries(
  db: Queryable,
  query: LogQuery,
): Promise<{ rows: Delivery[]; total: number }> {
  const filter = query.to ? 'WHERE lower(recipient) = lower($3)' : '';
  const params: unknown[] = [query.limit, query.offset];
  if (query.to) params.push(query.to);
  const { rows } = await db.query<Delivery & { total: string }>(
    `SELECT *, count(*) OVER () AS total FROM deliveries ${filter}
     ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
    params,
  );
  return { rows, total: rows[0] ? Number(rows[0].total) : 0 };
}
