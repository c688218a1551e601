// SQL for the shipment events Shipping reports: each event id is applied once.
import type { Queryable } from '@minishop/kit/db';

/** Records a shipment event once; false when it was applied before. */
export async function markShipmentEvent(db: Queryable, eventId: string, orderId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO processed_shipment_events (event_id, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [eventId, orderId],
  );
  return rowCount === 1;
}
