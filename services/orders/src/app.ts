// Builds the Orders service: routes, plus the two background loops that keep checkouts
// moving — the saga resumer and the outbox relay.
import { Counter } from 'prom-client';
import { createService, type App } from '@minishop/kit/http';
import type { Pool } from '@minishop/kit/db';
import type { TokenVerifier } from '@minishop/kit/jwt';
import type { Config } from './config.ts';
import { resumeDue, type SagaDeps } from './domain/checkout-saga.ts';
import { createNotificationsRelay } from './domain/outbox-relay.ts';
import { deleteOldKeys } from './data/idempotency.repository.ts';
import type { Upstreams } from './domain/upstreams.ts';
import { ordersRoutes } from './routes/orders.routes.ts';

export interface AppDeps {
  config: Pick<
    Config,
    | 'LOG_LEVEL'
    | 'MINISHOP_ENV'
    | 'SAGA_CRASH_AFTER'
    | 'SAGA_LEASE_MS'
    | 'PAYMENT_TIMEOUT_MS'
    | 'SAGA_RESUME_INTERVAL_MS'
    | 'OUTBOX_INTERVAL_MS'
  >;
  pool: Pool;
  tokens: TokenVerifier;
  upstreams: Upstreams;
  /** Run the resumer and the relay on timers (off in tests that call them directly). */
  background?: boolean;
}

/** Runs work on an interval, never overlapping itself, until stopped. */
function every(ms: number, work: () => Promise<unknown>, onError: (err: unknown) => void): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    work()
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = await createService({
    name: 'orders',
    description: 'Orders and the checkout saga',
    logLevel: deps.config.LOG_LEVEL,
    tokens: deps.tokens,
    readiness: { db: () => deps.pool.query('SELECT 1') },
  });
  const saga: SagaDeps = {
    pool: deps.pool,
    upstreams: deps.upstreams,
    log: app.log,
    leaseMs: deps.config.SAGA_LEASE_MS,
    paymentTimeoutMs: deps.config.PAYMENT_TIMEOUT_MS,
    crashAfter: deps.config.MINISHOP_ENV === 'test' ? deps.config.SAGA_CRASH_AFTER : undefined,
    checkouts: new Counter({
      name: 'minishop_checkouts_total',
      help: 'Checkout attempts by how they ended: paid, payment_failed or out_of_stock',
      labelNames: ['outcome'] as const,
      registers: [app.metricsRegistry],
    }),
  };
  ordersRoutes(app, saga);
  if (deps.background ?? true) {
    const stops = [
      every(
        deps.config.SAGA_RESUME_INTERVAL_MS,
        () => resumeDue(saga),
        (err) => app.log.error({ err }, 'resumer failed'),
      ),
      every(
        3_600_000,
        () => deleteOldKeys(deps.pool),
        (err) => app.log.error({ err }, 'idempotency key cleanup failed'),
      ),
    ];
    const relay = createNotificationsRelay({
      ...saga,
      registry: app.metricsRegistry,
      intervalMs: deps.config.OUTBOX_INTERVAL_MS,
    });
    relay.start();
    app.addHook('onClose', async () => {
      stops.forEach((stop) => stop());
      await relay.close();
    });
  }
  return app;
}
