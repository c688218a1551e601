// The gateway's environment: where each service lives, who may call from a browser, how many
// requests one client IP may make per minute, and how long an upstream may take to answer.
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, ServiceUrl } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8080, { tokens: true, redis: 'rate-limit counters' }),
  CATALOG_URL: ServiceUrl(8082, 'Catalog base URL'),
  CART_URL: ServiceUrl(8083, 'Cart base URL'),
  ORDERS_URL: ServiceUrl(8084, 'Orders base URL'),
  PAYMENTS_URL: ServiceUrl(8085, 'Payments base URL'),
  SHIPPING_URL: ServiceUrl(8086, 'Shipping base URL'),
  NOTIFICATIONS_URL: ServiceUrl(8087, 'Notifications base URL'),
  CORS_ORIGINS: Type.String({
    default: 'http://localhost:5173,http://localhost:8080',
    description: 'comma-separated origins allowed to call the API from a browser',
  }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({
    minimum: 0,
    default: 6000,
    description: 'requests one client IP may make per minute window; 0 turns the limit off',
  }),
  UPSTREAM_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description: 'longest wait for an upstream service to start answering (then 504)',
  }),
  WEB_ROOT: Type.Optional(
    Type.String({
      pattern: '^/',
      description: 'absolute path of the web app build (its dist directory); unset serves no web app',
    }),
  ),
  TRUST_PROXY_HOPS: Type.Integer({
    minimum: 0,
    default: 0,
    description:
      'number of reverse proxies in front of the gateway whose X-Forwarded-For entries are trusted',
  }),
});

export type Config = Static<typeof ConfigSchema>;
