// The outbox of shipment status events: written in the same transaction as the status change,
// with the trace context of the request that made it. The kit's relay delivers them to Orders.
import { captureTraceContext } from '@minishop/kit/background';
import type { Queryable } from '@minishop/kit/db';
import type { OutboxRow } from '@minishop/kit/outbox';

export const OUTBOX_TABLE = 'shipment_outbox';
/** A shipment's events reach Orders in the order they happened. */
export const OUTBOX_STREAM = 'shipment_id';

export interface ShipmentEvent {
  eventId: string;
  shipmentId: string;
  orderId: string;
  status: 'in_transit' | 'delivered';
}

export interface ShipmentEventRow extends OutboxRow {
  shipment_id: string;
  order_id: string;
  status: 'in_transit' | 'delivered';
}

export async function addEvent(db: Queryable, event: ShipmentEvent): Promise<void> {
  await db.query(
    `INSERT INTO shipment_outbox (event_id, shipment_id, order_id, status, trace_context)
     VALUES ($1, $2, $3, $4, $5)`,
    [event.eventId, event.shipmentId, event.orderId, event.status, captureTraceContext()],
  );
}
