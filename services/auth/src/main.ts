// Auth's entry point: config → tracing (when configured) → database and Redis → migrations → first
// admin → serve.
import { ConfigError, loadConfigOrExit } from '@minishop/kit/config';
import { startTelemetry } from '@minishop/kit/telemetry';
import { ConfigSchema, parseServiceClients, parseTrustedProxies, type ServiceClient } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'auth');
let clients: ServiceClient[];
try {
  clients = parseServiceClients(config.SERVICE_CLIENTS);
  parseTrustedProxies(config.TRUSTED_PROXIES);
} catch (err) {
  console.error(
    `auth: ${err instanceof ConfigError ? err.message : `invalid configuration: ${(err as Error).message}`}`,
  );
  process.exit(1);
}

// argon2id runs on libuv's thread pool, which starts with the first task (none has run yet): as
// many threads as hashes may run at once, so no idle thread keeps an allocator heap of its own.
process.env.UV_THREADPOOL_SIZE ??= String(config.PASSWORD_HASHES_AT_ONCE);

// Tracing patches http, pg and ioredis as they load, so the rest is imported after it starts.
await startTelemetry('auth', config);
const { createPool, migrate } = await import('@minishop/kit/db');
const { createRedis } = await import('@minishop/kit/redis');
const { createLogger } = await import('@minishop/kit/logging');
const { runService } = await import('@minishop/kit/lifecycle');
const { buildApp } = await import('./app.ts');
const { MIGRATIONS_DIR } = await import('./migrate.ts');
const { ensureFirstAdmin } = await import('./domain/accounts.ts');
const { createPasswordHasher } = await import('./domain/passwords.ts');

const pool = createPool(config.DATABASE_URL, { applicationName: 'minishop-auth' });
const redis = createRedis(config.REDIS_URL, { log: createLogger('auth', config.LOG_LEVEL) });
await migrate(pool, MIGRATIONS_DIR);
const passwords = createPasswordHasher(undefined, { concurrency: config.PASSWORD_HASHES_AT_ONCE });
const app = await buildApp({ config, pool, redis, clients, passwords });
app.addHook('onClose', async () => {
  await Promise.allSettled([pool.end(), redis.quit()]);
});
const admin = await ensureFirstAdmin(
  { pool, passwords },
  {
    email: config.MINISHOP_ADMIN_EMAIL,
    password: config.MINISHOP_ADMIN_PASSWORD,
    username: config.MINISHOP_ADMIN_USERNAME,
  },
);
app.log.info({ admin: admin.email }, 'first admin ready');
await runService(app, { host: config.HOST, port: config.PORT, managementPort: config.MANAGEMENT_PORT });
