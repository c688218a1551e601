// Builds the Payments service (no listen): routes, provider client, Orders client and readiness.
import { crashPoints } from '@minishop/kit/crash-point';
import type { Pool } from '@minishop/kit/db';
import { createService, type App } from '@minishop/kit/http';
import type { TokenVerifier } from '@minishop/kit/jwt';
import { createServiceClient, type ServiceClient } from '@minishop/kit/service-client';
import type { Config } from './config.ts';
import { paymentMetrics } from './domain/payment-metrics.ts';
import { stripeProvider, type PaymentProvider } from './domain/provider.ts';
import { KnownOutcomes } from './domain/known-outcomes.ts';
import { SingleFlight } from './domain/single-flight.ts';
import { paymentsRoutes } from './routes/payments.routes.ts';
import { webhookRoutes } from './routes/webhooks.routes.ts';

export interface AppDeps {
  config: Config;
  pool: Pool;
  tokens: TokenVerifier;
  /** Defaults to the Stripe SDK pointed at PAYMENT_PROVIDER_URL. */
  provider?: PaymentProvider;
  /** Defaults to a client of ORDERS_URL. */
  orders?: ServiceClient;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, pool } = deps;
  const app = await createService(
    {
      name: 'payments',
      description: 'Payments and refunds of orders, through a Stripe-compatible payment provider.',
    },
    deps,
  );
  const provider = deps.provider ?? stripeProvider(config);
  // Orders runs the checkout saga (which charges here) before it answers a retry.
  const ordersTimeoutMs = Math.min(
    config.PROVIDER_TIMEOUT_MS * (config.PROVIDER_MAX_RETRIES + 1) + 5_000,
    25_000,
  );
  const orders =
    deps.orders ??
    createServiceClient({
      name: 'orders',
      baseUrl: config.ORDERS_URL,
      timeoutMs: ordersTimeoutMs,
      retries: 0,
    });
  const domain = {
    pool,
    provider,
    flights: new SingleFlight(),
    known: new KnownOutcomes(),
    log: app.log,
    orders,
    metrics: paymentMetrics(app.metricsRegistry),
    crashPoint: crashPoints(config),
  };

  paymentsRoutes(app, domain);
  await app.register(async (scope) => webhookRoutes(scope as App, domain));
  return app;
}
