// Builds the Orders service: routes, plus the background loops that keep checkouts moving (the
// saga resumer and the outbox relay) and forget old Idempotency-Keys.
import { counterFromZero } from '@minishop/kit/metrics';
import { startLoop } from '@minishop/kit/background';
import { crashPoints } from '@minishop/kit/crash-point';
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
    | 'MINISHOP_CRASH_AFTER'
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

const RESUME_BATCH = 20;

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = await createService({ name: 'orders', description: 'Orders and the checkout saga' }, deps);
  const saga: SagaDeps = {
    pool: deps.pool,
    upstreams: deps.upstreams,
    log: app.log,
    leaseMs: deps.config.SAGA_LEASE_MS,
    paymentTimeoutMs: deps.config.PAYMENT_TIMEOUT_MS,
    crashPoint: crashPoints(deps.config),
    checkouts: counterFromZero(app.metricsRegistry, {
      name: 'minishop_checkouts_total',
      help: 'Checkout attempts by how they ended: paid, payment_failed or out_of_stock',
      labels: { outcome: ['paid', 'payment_failed', 'out_of_stock'] },
    }),
  };
  ordersRoutes(app, saga);
  if (deps.background ?? true) {
    const loops = [
      startLoop({
        name: 'saga resumer',
        intervalMs: deps.config.SAGA_RESUME_INTERVAL_MS,
        // A full batch means more orders are due: the next pass starts at once.
        pass: async () => (await resumeDue(saga, RESUME_BATCH)) === RESUME_BATCH,
        log: app.log,
        registry: app.metricsRegistry,
      }),
      startLoop({
        name: 'idempotency key cleanup',
        intervalMs: 3_600_000,
        pass: async () => {
          await deleteOldKeys(deps.pool);
        },
        log: app.log,
        registry: app.metricsRegistry,
      }),
    ];
    const relay = createNotificationsRelay({
      ...saga,
      registry: app.metricsRegistry,
      intervalMs: deps.config.OUTBOX_INTERVAL_MS,
    });
    relay.start();
    saga.outboxWake = () => relay.wake();
    app.addHook('onClose', async () => {
      await Promise.all([...loops.map((loop) => loop.close()), relay.close()]);
    });
  }
  return app;
}
