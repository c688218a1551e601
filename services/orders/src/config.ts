// Orders' environment: its database, the services the checkout saga calls, its service
// credentials, and the saga's timing.
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, ServiceUrl } from '@minishop/kit/config';
import { CrashPointConfig } from '@minishop/kit/crash-point';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8084, { database: 'orders', tokens: true, client: 'orders' }),
  CART_URL: ServiceUrl(8083, 'Cart base URL'),
  CATALOG_URL: ServiceUrl(8082, 'Catalog base URL'),
  PAYMENTS_URL: ServiceUrl(8085, 'Payments base URL'),
  SHIPPING_URL: ServiceUrl(8086, 'Shipping base URL'),
  NOTIFICATIONS_URL: ServiceUrl(8087, 'Notifications base URL'),
  SAGA_LEASE_MS: Type.Integer({
    minimum: 500,
    default: 15_000,
    description: 'how long a worker owns an order it drives; after a crash another takes over when it passes',
  }),
  SAGA_RESUME_INTERVAL_MS: Type.Integer({
    minimum: 50,
    default: 2_000,
    description: 'how often unfinished orders are looked for',
  }),
  OUTBOX_INTERVAL_MS: Type.Integer({
    minimum: 50,
    default: 500,
    description: 'how often the outbox relay runs',
  }),
  // Test stacks only: the process dies right after the order is placed, or right after a remote
  // step succeeded and before it is recorded, to prove recovery.
  ...CrashPointConfig(['place', 'reserve', 'charge', 'shipment']),
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  PAYMENT_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 20_000,
    description: 'a charge may take long: the provider is slow and Payments retries it',
  }),
});

export type Config = Static<typeof ConfigSchema>;
