// Orders' environment: its database, the services the checkout saga calls, its service
// credentials, and the saga's timing.
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, DatabaseUrl, ServiceClientConfig, TokenConfig } from '@minishop/kit/config';
import { CrashPointConfig } from '@minishop/kit/crash-point';

const Url = (port: number, what: string) =>
  Type.String({ format: 'uri', default: `http://127.0.0.1:${port}`, description: `${what} base URL` });

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8084),
  ...TokenConfig,
  ...ServiceClientConfig,
  SERVICE_CLIENT_ID: Type.String({ minLength: 1, default: 'orders' }),
  DATABASE_URL: DatabaseUrl('orders'),
  CART_URL: Url(8083, 'Cart'),
  CATALOG_URL: Url(8082, 'Catalog'),
  PAYMENTS_URL: Url(8085, 'Payments'),
  SHIPPING_URL: Url(8086, 'Shipping'),
  NOTIFICATIONS_URL: Url(8087, 'Notifications'),
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
