// SQL for the outbox of shipment status events: written in the same transaction as the status
// change, then claimed by the relay with a lease so that several relays never send one event at once.
import type { Queryable } from '@minishop/kit/db';

export interface ShipmentEvent {
  eventId: string;
  shipmentId: string;
  orderId: string;
  status: 'in_transit' | 'delivered';
  attempts: number;
}

interface EventRow {
  event_id: string;
  shipment_id: string;
  order_id: string;
  status: 'in_transit' | 'delivered';
  attempts: number;
  seq: string;
}

export async function addEvent(db: Queryable, event: Omit<ShipmentEvent, 'attempts'>): Promise<void> {
  await db.query(
    'INSERT INTO shipment_outbox (event_id, shipment_id, order_id, status) VALUES ($1, $2, $3, $4)',
    [event.eventId, event.shipmentId, event.orderId, event.status],
  );
}

/**
 * Claims due events for leaseMs: each is the oldest pending event of its shipment, so a
 * shipment's events reach Orders in the order they happened. A relay that dies mid-delivery
 * loses its lease and another picks the event up again.
 */
export async function claimDueEvents(
  db: Queryable,
  limit: number,
  leaseMs: number,
): Promise<ShipmentEvent[]> {
  const { rows } = await db.query<EventRow>(
    `UPDATE shipment_outbox
        SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
            attempts = attempts + 1
      WHERE event_id IN (
        SELECT o.event_id FROM shipment_outbox o
         WHERE o.state = 'pending' AND o.next_attempt_at <= now()
           AND NOT EXISTS (SELECT 1 FROM shipment_outbox e
                            WHERE e.shipment_id = o.shipment_id AND e.state = 'pending' AND e.seq < o.seq)
         ORDER BY o.seq
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
      RETURNING event_id, shipment_id, order_id, status, attempts, seq`,
    [limit, leaseMs],
  );
  return rows
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((r) => ({
      eventId: r.event_id,
      shipmentId: r.shipment_id,
      orderId: r.order_id,
      status: r.status,
      attempts: r.attempts,
    }));
}

export async function markDelivered(db: Queryable, eventId: string): Promise<void> {
  await db.query(
    "UPDATE shipment_outbox SET state = 'delivered', delivered_at = now(), last_error = NULL WHERE event_id = $1",
    [eventId],
  );
}

export async function markRejected(db: Queryable, eventId: string, error: string): Promise<void> {
  await db.query("UPDATE shipment_outbox SET state = 'rejected', last_error = $2 WHERE event_id = $1", [
    eventId,
    error.slice(0, 1000),
  ]);
}

export async function scheduleRetry(
  db: Queryable,
  eventId: string,
  delayMs: number,
  error: string,
): Promise<void> {
  await db.query(
    `UPDATE shipment_outbox
        SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), last_error = $3
      WHERE event_id = $1`,
    [eventId, delayMs, error.slice(0, 1000)],
  );
}
