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

/**
 * Claims due events for one relay run: they are pushed out of reach of other relays for the
 * claim's length, so no transaction stays open while they are sent.
 */
export async function claimDue(db: Queryable, limit: number, claimMs: number): Promise<OutboxEvent[]> {
  const { rows } = await db.query<OutboxEvent>(
    `UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $2)
     WHERE event_id IN (
       SELECT event_id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= now()
       ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING event_id, order_id, type, recipient, payload, attempts`,
    [limit, claimMs / 1000],
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
  delayMs: number | 'never',
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE outbox SET attempts = attempts + 1, last_error = $3,
       next_attempt_at = CASE WHEN $2::float8 IS NULL THEN 'infinity'::timestamptz
                              ELSE now() + make_interval(secs => $2::float8) END
     WHERE event_id = $1`,
    [eventId, delayMs === 'never' ? null : delayMs / 1000, error.slice(0, 500)],
  );
}
