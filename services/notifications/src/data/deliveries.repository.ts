// SQL of the delivery log: storing events once (many at a time), handing due deliveries to one
// worker at a time (FOR UPDATE SKIP LOCKED plus a lease), and recording each attempt's result.
import { randomUUID } from 'node:crypto';
import { prepared, type Queryable } from '@minishop/kit/db';

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
  trace_context: string | null;
}

/** A delivery's columns, listed (a prepared statement must not return `*`: see the kit's db.ts). */
const COLUMNS =
  'id, event_id, type, recipient, data, status, attempts, last_error, next_attempt_at, created_at, sent_at, trace_context';

export interface NewDelivery {
  event_id: string;
  type: string;
  recipient: string;
  data: Record<string, unknown>;
  trace_context: string | null;
  /** Taken by this worker at once for this long (its first attempt counted), or left for any worker. */
  claimMs: number | null;
}

/**
 * Stores the events whose ids are not known yet, in one statement; returns the rows it stored.
 * A repeated id (known before, or twice in the list) stores nothing.
 */
export async function insertDeliveries(db: Queryable, deliveries: NewDelivery[]): Promise<Delivery[]> {
  const rows = deliveries.map((d) => ({ ...d, id: randomUUID() }));
  const { rows: stored } = await db.query<Delivery>(
    `INSERT INTO deliveries (id, event_id, type, recipient, data, trace_context, attempts, next_attempt_at)
     SELECT r.id, r.event_id, r.type, r.recipient, r.data, r.trace_context,
            CASE WHEN r."claimMs" IS NULL THEN 0 ELSE 1 END,
            now() + make_interval(secs => COALESCE(r."claimMs", 0) / 1000)
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, event_id text, type text, recipient text, data jsonb,
                                               trace_context text, "claimMs" double precision)
     ON CONFLICT (event_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [JSON.stringify(rows)],
  );
  return stored;
}

/**
 * Takes up to `limit` due deliveries for this worker: each gets its attempt counted and is not
 * due again until the lease ends, so other workers skip it while it is being sent.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<Delivery[]> {
  const { rows } = await db.query<Delivery>(
    prepared(
      `UPDATE deliveries SET attempts = attempts + 1,
         next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
         updated_at = now()
       WHERE id IN (
         SELECT id FROM deliveries
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [limit, leaseMs],
    ),
  );
  return rows;
}

/** Records that the mail server accepted these deliveries. */
export async function markSent(db: Queryable, ids: string[]): Promise<void> {
  await db.query(
    prepared(
      `UPDATE deliveries SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now()
       WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
      [ids],
    ),
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

/** How many deliveries wait, and for how long the oldest of them has. */
export async function pendingBacklog(db: Queryable): Promise<{ pending: number; ageSeconds: number }> {
  const { rows } = await db.query<{ pending: string; age: number | null }>(
    `SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at))::float8 AS age
       FROM deliveries WHERE status = 'pending'`,
  );
  return { pending: Number(rows[0]?.pending ?? 0), ageSeconds: rows[0]?.age ?? 0 };
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
