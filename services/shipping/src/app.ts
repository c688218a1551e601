// Builds the shipping service (no listen): shipments in PostgreSQL, status events relayed to Orders.
import type { Pool } from '@minishop/kit/db';
import { createService, type App } from '@minishop/kit/http';
import type { TokenVerifier } from '@minishop/kit/jwt';
import type { ServiceClient } from '@minishop/kit/service-client';
import type { Config } from './config.ts';
import { createOrdersRelay, type RelayOptions } from './domain/outbox-relay.ts';
import { newTrackingNumber } from './domain/tracking-number.ts';
import { shippingRoutes } from './routes/shipping.routes.ts';

export interface AppDeps {
  config: Config;
  pool: Pool;
  tokens: TokenVerifier;
  /** Client for Orders carrying a service token with orders:update. */
  orders: ServiceClient;
  relay?: RelayOptions;
  trackingNumber?: () => string;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, pool } = deps;
  const app = await createService(
    { name: 'shipping', description: 'Shipments, tracking numbers and shipment status.' },
    deps,
  );
  const relay = createOrdersRelay({
    pool,
    orders: deps.orders,
    log: app.log,
    registry: app.metricsRegistry,
    options: deps.relay,
  });
  shippingRoutes(app, {
    pool,
    carrier: config.CARRIER_NAME,
    trackingNumber: deps.trackingNumber ?? newTrackingNumber,
    onEventRecorded: () => relay.wake(),
  });
  app.addHook('onReady', async () => relay.start());
  // preClose runs before any onClose hook, so the relay is idle before the pool is closed.
  app.addHook('preClose', async () => relay.close());
  return app;
}
