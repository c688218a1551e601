// Builds the Catalog service (products, prices, stock and stock reservations) without listening,
// so tests and main.ts share it. The reservation sweeper runs while the app is open.
import { createService, type App } from '@minishop/kit/http';
import type { Pool } from '@minishop/kit/db';
import type { TokenVerifier } from '@minishop/kit/jwt';
import type { Config } from './config.ts';
import { startLoop, type Loop } from '@minishop/kit/background';
import { sweepExpiredReservations } from './domain/reservation-sweeper.ts';
import { productRoutes } from './routes/products.routes.ts';
import { reservationRoutes } from './routes/reservations.routes.ts';

export interface CatalogDeps {
  config: Config;
  pool: Pool;
  tokens: TokenVerifier;
  /** Run the periodic reservation sweeper (default true). */
  sweeper?: boolean;
}

export async function buildApp(deps: CatalogDeps): Promise<App> {
  const { config, pool } = deps;
  const app = await createService(
    { name: 'catalog', description: 'Products, prices, stock and the stock reservations of checkout.' },
    deps,
  );
  const ctx = { pool, config };
  productRoutes(app, ctx);
  reservationRoutes(app, ctx);

  if (deps.sweeper !== false) {
    let sweeper: Loop | undefined;
    app.addHook('onReady', async () => {
      sweeper = startLoop({
        name: 'reservation sweeper',
        intervalMs: config.RESERVATION_SWEEP_INTERVAL_MS,
        pass: async () => {
          const expired = await sweepExpiredReservations(pool);
          if (expired > 0) app.log.info({ expired }, 'expired abandoned stock reservations');
        },
        log: app.log,
        registry: app.metricsRegistry,
      });
    });
    app.addHook('onClose', async () => {
      await sweeper?.close();
    });
  }
  return app;
}
