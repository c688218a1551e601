// The Payments service's environment as one checked schema (property names are the env vars).
import { Type, type Static } from '@sinclair/typebox';
import { CrashPointConfig } from '@minishop/kit/crash-point';
import { ServiceConfig, ServiceUrl, Secret } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8085, { database: 'payments', tokens: true, client: 'payments' }),
  ORDERS_URL: ServiceUrl(8084, 'Orders base URL (a customer retrying a payment goes through the order)'),
  PAYMENT_PROVIDER_URL: Type.String({
    pattern: '^https?://[^/]+/?$',
    default: 'http://127.0.0.1:8090',
    description: 'base URL of the Stripe-compatible provider API (https://api.stripe.com for Stripe itself)',
  }),
  PAYMENT_PROVIDER_SECRET_KEY: Secret('sk_test_minishop', 'secret API key of the payment provider'),
  PAYMENT_WEBHOOK_SECRET: Secret('whsec_minishop', 'signing secret of the provider webhook endpoint'),
  PROVIDER_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    maximum: 120_000,
    default: 10_000,
    description: 'how long one provider request may take before it is retried (same idempotency key)',
  }),
  PROVIDER_MAX_RETRIES: Type.Integer({
    minimum: 0,
    maximum: 10,
    default: 2,
    description: 'automatic retries of a provider request after a network error, timeout, 409 or 5xx',
  }),
  ...CrashPointConfig(['provider-answer']),
});
export type Config = Static<typeof ConfigSchema>;
