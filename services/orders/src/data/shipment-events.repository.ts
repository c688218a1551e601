// SQL for the shipment events Shipping reports: each event id is applied once, and only moves an
// order forward.
import type { Queryable } from '@minishop/kit/db';
import { ITEMS_COLUMN, ORDER_COLUMNS, type OrderRow, type OrderStatus } from './orders.repository.ts';

export type ShipmentApplied =
  { outcome: 'unknown_order' } | { outcome: 'seen' } | { outcome: 'applied'; order: OrderRow | null };

/**
 * Records the event and, when it is new, moves the order from one of `from` to `to` with a history
 * row, in one statement. `order` is null when the event was new but the order had moved on already.
 */
export async function applyShipmentStatus(
  db: Queryable,
  change: { eventId: string; orderId: string; from: OrderStatus[]; to: OrderStatus; reason: string },
): Promise<ShipmentApplied> {
  const { rows } = await db.query<{ known: boolean; fresh: boolean; order: OrderRow | null }>(
    `WITH known AS (SELECT id FROM orders WHERE id = $2),
     fresh AS (
       INSERT INTO processed_shipment_events (event_id, order_id) SELECT $1, id FROM known
       ON CONFLICT DO NOTHING RETURNING order_id),
     moved AS (
       UPDATE orders SET status = $4, updated_at = now()
       WHERE id IN (SELECT order_id FROM fresh) AND status = ANY($3::text[])
       RETURNING ${ORDER_COLUMNS}, ${ITEMS_COLUMN}),
     history AS (
       INSERT INTO order_status_history (order_id, status, reason) SELECT id, status, $5 FROM moved)
     SELECT EXISTS (SELECT 1 FROM known) AS known, EXISTS (SELECT 1 FROM fresh) AS fresh,
       (SELECT to_json(moved) FROM moved) AS order`,
    [change.eventId, change.orderId, change.from, change.to, change.reason],
  );
  const row = rows[0]!;
  if (!row.known) return { outcome: 'unknown_order' };
  if (!row.fresh) return { outcome: 'seen' };
  return { outcome: 'applied', order: row.order };
}
