// Builds the Notifications service (no listen): routes, the SMTP mailer and the delivery worker.
import type { Pool } from '@minishop/kit/db';
import { crashPoints } from '@minishop/kit/crash-point';
import { createService, type App } from '@minishop/kit/http';
import type { TokenVerifier } from '@minishop/kit/jwt';
import type { Config } from './config.ts';
import { createDeliveryWorker } from './domain/delivery-worker.ts';
import { emailMetrics } from './domain/email-metrics.ts';
import { smtpMailer, type Mailer } from './domain/mailer.ts';
import { notificationsRoutes } from './routes/notifications.routes.ts';

export interface AppDeps {
  config: Config;
  pool: Pool;
  tokens: TokenVerifier;
  /** Defaults to SMTP as configured. */
  mailer?: Mailer;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, pool } = deps;
  const app = await createService(
    {
      name: 'notifications',
      description: 'Email notifications: templates, SMTP delivery with retries, and the delivery log.',
    },
    deps,
  );
  const mailer = deps.mailer ?? smtpMailer(config);
  const worker = createDeliveryWorker({
    pool,
    mailer,
    log: app.log,
    pollIntervalMs: config.DELIVERY_POLL_INTERVAL_MS,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    backoff: { baseMs: config.DELIVERY_BACKOFF_BASE_MS, maxMs: config.DELIVERY_BACKOFF_MAX_MS },
    // Connecting, the greeting and the exchange each have their own timeout.
    leaseMs: config.SMTP_TIMEOUT_MS * 4 + 5_000,
    concurrency: config.DELIVERY_CONCURRENCY,
    publicUrl: config.PUBLIC_URL,
    metrics: emailMetrics(app.metricsRegistry, pool),
    registry: app.metricsRegistry,
    crashPoint: crashPoints(config),
  });
  notificationsRoutes(app, { pool, worker });

  app.addHook('onReady', async () => worker.start());
  // preClose runs before any onClose hook, so the sends in progress are recorded before the pool closes.
  app.addHook('preClose', async () => {
    await worker.close();
    mailer.close();
  });
  return app;
}
