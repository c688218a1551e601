// Shipment status changes reported by Shipping: applied once each, never moving an order back,
// and announced to the buyer.
import { NotFound } from '@minishop/kit/errors';
import { withTransaction } from '@minishop/kit/db';
import * as orders from '../data/orders.repository.ts';
import * as shipmentEvents from '../data/shipment-events.repository.ts';
import { announce, type SagaDeps } from './checkout-saga.ts';

export interface ShipmentEvent {
  event_id: string;
  shipment_id: string;
  status: 'in_transit' | 'delivered';
}

/** Applies a shipment status change once; later statuses never move an order back. */
export async function applyShipmentEvent(
  deps: Pick<SagaDeps, 'pool'>,
  orderId: string,
  event: ShipmentEvent,
) {
  await withTransaction(deps.pool, async (tx) => {
    const order = await orders.findOrder(tx, orderId);
    if (!order) throw new NotFound('order');
    if (!(await shipmentEvents.markShipmentEvent(tx, event.event_id, orderId))) return;
    const from = event.status === 'in_transit' ? (['paid'] as const) : (['paid', 'shipped'] as const);
    const to = event.status === 'in_transit' ? 'shipped' : 'delivered';
    if (!(await orders.setStatus(tx, orderId, [...from], to))) return;
    await orders.addHistory(tx, orderId, to, `shipment ${event.status.replace('_', ' ')}`);
    const fresh = (await orders.findOrder(tx, orderId))!;
    await announce(tx, fresh, to === 'shipped' ? 'Shipped' : 'Delivered', { shipment_id: event.shipment_id });
  });
}
