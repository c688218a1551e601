// The one entry point of every service process: config → tracing (when configured) → the rest of
// the code → PostgreSQL pool and migrations (services with a database) and Redis (services that use
// it) → the service's app → listening on the public and the management port until stopped.
//
// This module imports only what cannot load `http`, `pg` or `ioredis`: tracing patches those as
// they are imported, so everything else is imported after it has started. A service's main.ts
// therefore passes its app as a function that imports `./app.ts` itself.
import type { Static, TObject } from '@sinclair/typebox';
import { ConfigError, loadConfigOrExit } from './config.ts';
import { startTelemetry } from './telemetry.ts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Pool } from './db.ts';
import type { TokenVerifier } from './jwt.ts';
import type { Redis } from './redis.ts';

/** Variables every entry point reads (all of them are in BaseConfig and ServicePorts). */
interface EntryConfig {
  HOST: string;
  PORT: number;
  MANAGEMENT_PORT: number;
  LOG_LEVEL: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
  OTEL_TRACES_SAMPLER_ARG?: number | undefined;
  DATABASE_URL?: string;
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  /** Always set where REDIS_SENTINELS can be: RedisConfig gives it a default. */
  REDIS_SENTINEL_MASTER?: string;
  REDIS_SENTINEL_USERNAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  AUTH_URL?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
}

export interface ServiceDeps<C> {
  config: C;
  log: FastifyBaseLogger;
  /** The pool of the service's database (only with `database`). */
  pool: Pool;
  /** The Redis client (only with `redis`). */
  redis: Redis;
  /** The verifier of Auth's tokens (only when the config has AUTH_URL, JWT_ISSUER and JWT_AUDIENCE). */
  tokens: TokenVerifier;
}

export interface ServiceSpec<S extends TObject> {
  name: string;
  config: S;
  /**
   * Checks beyond the schema (a JSON variable, say) and process settings that must be made before
   * any code runs. A thrown error stops the process with its message, like a configuration error.
   */
  prepare?: (config: Static<S>) => void;
  /** The service's database: its pool size and where its migrations are (applied at start). */
  database?: { migrations: URL; poolMax?: number };
  /** The service keeps a Redis client (its config has RedisConfig, through ServiceConfig's `redis`). */
  redis?: boolean;
  /** Builds the app (importing it here, after tracing has started) and whatever it needs at start. */
  app: (deps: ServiceDeps<Static<S>>) => Promise<FastifyInstance>;
}

export async function serviceMain<S extends TObject>(spec: ServiceSpec<S>): Promise<void> {
  const config = loadConfigOrExit(spec.config, spec.name);
  const settings = config as unknown as EntryConfig;
  try {
    spec.prepare?.(config);
  } catch (err) {
    const message =
      err instanceof ConfigError ? err.message : `invalid configuration: ${(err as Error).message}`;
    console.error(`${spec.name}: ${message}`);
    process.exit(1);
  }
  await startTelemetry(spec.name, settings);

  const [{ createLogger }, { runService }, { verifierFromConfig }] = await Promise.all([
    import('./logging.ts'),
    import('./lifecycle.ts'),
    import('./jwt.ts'),
  ]);
  const log = createLogger(spec.name, settings.LOG_LEVEL);
  const closers: Array<() => Promise<unknown>> = [];
  const deps = { config, log } as unknown as ServiceDeps<Static<S>>;

  if (spec.database) {
    const { createPool, migrate } = await import('./db.ts');
    deps.pool = createPool(settings.DATABASE_URL!, {
      applicationName: spec.name,
      ...(spec.database.poolMax ? { max: spec.database.poolMax } : {}),
    });
    closers.push(() => deps.pool.end());
    await migrate(deps.pool, decodeURIComponent(spec.database.migrations.pathname));
  }
  if (spec.redis) {
    const { createRedis, closeRedis } = await import('./redis.ts');
    deps.redis = createRedis(settings.REDIS_URL!, {
      log,
      ...(settings.REDIS_SENTINELS
        ? {
            sentinel: {
              sentinels: settings.REDIS_SENTINELS,
              name: settings.REDIS_SENTINEL_MASTER!,
              username: settings.REDIS_SENTINEL_USERNAME,
              password: settings.REDIS_SENTINEL_PASSWORD,
            },
          }
        : {}),
    });
    closers.push(() => closeRedis(deps.redis));
  }
  if (settings.AUTH_URL && settings.JWT_ISSUER && settings.JWT_AUDIENCE) {
    deps.tokens = verifierFromConfig(settings as Parameters<typeof verifierFromConfig>[0]);
    // Auth may start after this service; the key set is fetched again on the first token.
    deps.tokens.refresh().catch((err: unknown) => log.warn({ err }, 'signing keys not loaded yet'));
  }

  const app = await spec.app(deps);
  const { poolMetrics, redisMetrics } = await import('./metrics.ts');
  if (spec.database) poolMetrics(app.metricsRegistry, deps.pool);
  if (spec.redis) redisMetrics(app.metricsRegistry, deps.redis);
  app.addHook('onClose', async () => {
    await Promise.allSettled(closers.map((close) => close()));
  });
  await runService(app, {
    host: settings.HOST,
    port: settings.PORT,
    managementPort: settings.MANAGEMENT_PORT,
  });
}
