// The outbox: events written in the same transaction as the order change they announce, and
// the queries the relay uses to deliver them at least once.
import type { Queryable } from '@minishop/kit/db';

export interface OutboxEvent {
  event_id: string;
  order_id: string;
  type: string;
  recipient: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export async function enqueue(
  db: Queryable,
  event: {
    event_id: string;
    order_id: string;
    type: string;
    recipient: string;
    payload: Record<string, unknown>;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO outbox (event_id, order_id, type, recipient, payload) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id) DO NOTHING`,
    [event.event_id, event.order_id, event.type, event.recipient, event.payload],
  );
}

/** Due events, locked for this transaction so that replicas never send the same one at once. */
export async function lockDue(db: Queryable, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await db.query<OutboxEvent>(
    `SELECT event_id, order_id, type, recipient, payload, attempts FROM outbox
     WHERE delivered_at IS NULL AND next_attempt_at <= now()
     ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

export async function markDelivered(db: Queryable, eventId: string): Promise<void> {
  await db.query('UPDATE outbox SET delivered_at = now(), attempts = attempts + 1 WHERE event_id = $1', [
    eventId,
  ]);
}

export async function markFailed(
  db: Queryable,
  eventId: string,
  delayMs: number,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE outbox SET attempts = attempts + 1, last_error = $3,
       next_attempt_at = now() + make_interval(secs => $2) WHERE event_id = $1`,
    [eventId, delayMs / 1000, error.slice(0, 500)],
  );
}

export async function eventsOf(
  db: Queryable,
  orderId: string,
): Promise<{ type: string; delivered: boolean }[]> {
  const { rows } = await db.query<{ type: string; delivered: boolean }>(
    'SELECT type, delivered_at IS NOT NULL AS delivered FROM outbox WHERE order_id = $1 ORDER BY created_at',
    [orderId],
  );
  return rows;
}
