// Shipping's outbox relay: the kit's relay, delivering shipment status events to Orders
// (POST /orders/{order_id}/shipment-events) at least once; Orders applies each event id once.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Pool } from '@minishop/kit/db';
import { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from '@minishop/kit/outbox';
import type { ServiceClient } from '@minishop/kit/service-client';
import { OUTBOX_STREAM, OUTBOX_TABLE, type ShipmentEventRow } from '../data/outbox.repository.ts';

/** Timing of the relay (tests shorten it). */
export type RelayOptions = Partial<
  Pick<
    OutboxRelayOptions<ShipmentEventRow>,
    'intervalMs' | 'batchSize' | 'leaseMs' | 'backoff' | 'maxRefusals'
  >
>;

export function createOrdersRelay(deps: {
  pool: Pool;
  orders: ServiceClient;
  log: FastifyBaseLogger;
  registry?: Registry;
  options?: RelayOptions;
}): OutboxRelay {
  return createOutboxRelay<ShipmentEventRow>({
    ...deps.options,
    pool: deps.pool,
    table: OUTBOX_TABLE,
    streamColumn: OUTBOX_STREAM,
    receiver: 'orders',
    log: deps.log,
    registry: deps.registry,
    send: (event) =>
      deps.orders.request({
        method: 'POST',
        path: `/orders/${encodeURIComponent(event.order_id)}/shipment-events`,
        body: { event_id: event.event_id, shipment_id: event.shipment_id, status: event.status },
        idempotent: true,
      }),
  });
}
