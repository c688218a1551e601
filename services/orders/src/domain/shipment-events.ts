// Shipment status changes reported by Shipping: applied once each, never moving an order back,
// and announced to the buyer.
import { NotFound } from '@minishop/kit/errors';
import { withTransaction } from '@minishop/kit/db';
import { applyShipmentStatus } from '../data/shipment-events.repository.ts';
import type { SagaDeps } from './checkout-saga.ts';
import { announce } from './order-events.ts';

export interface ShipmentEvent {
  event_id: string;
  shipment_id: string;
  status: 'in_transit' | 'delivered';
}

/** Applies a shipment status change once; later statuses never move an order back. */
export async function applyShipmentEvent(
  deps: Pick<SagaDeps, 'pool' | 'outboxWake'>,
  orderId: string,
  event: ShipmentEvent,
): Promise<void> {
  const to = event.status === 'in_transit' ? 'shipped' : 'delivered';
  const announced = await withTransaction(deps.pool, async (tx) => {
    const applied = await applyShipmentStatus(tx, {
      eventId: event.event_id,
      orderId,
      from: event.status === 'in_transit' ? ['paid'] : ['paid', 'shipped'],
      to,
      reason: `shipment ${event.status.replace('_', ' ')}`,
    });
    if (applied.outcome === 'unknown_order') throw new NotFound('order');
    if (applied.outcome === 'applied' && applied.order) {
      await announce(tx, applied.order, {
        type: to === 'shipped' ? 'Shipped' : 'Delivered',
        extra: { shipment_id: event.shipment_id },
      });
      return true;
    }
    return false;
  });
  if (announced) deps.outboxWake?.();
}
