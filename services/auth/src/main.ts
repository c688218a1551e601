// Auth's entry point: config → database and Redis → migrations → first admin → serve.
import { ConfigError, loadConfigOrExit } from '@minishop/kit/config';
import { createPool, migrate } from '@minishop/kit/db';
import { createRedis } from '@minishop/kit/redis';
import { runService } from '@minishop/kit/lifecycle';
import { ConfigSchema, parseServiceClients, type ServiceClient } from './config.ts';
import { buildApp } from './app.ts';
import { MIGRATIONS_DIR } from './migrate.ts';
import { ensureFirstAdmin } from './domain/accounts.ts';
import { createPasswordHasher } from './domain/passwords.ts';
import { clientIpResolver } from './client-ip.ts';

const config = loadConfigOrExit(ConfigSchema, 'auth');
let clients: ServiceClient[];
try {
  clients = parseServiceClients(config.SERVICE_CLIENTS);
  clientIpResolver(config.TRUSTED_PROXIES);
} catch (err) {
  console.error(
    `auth: ${err instanceof ConfigError ? err.message : `invalid configuration: ${(err as Error).message}`}`,
  );
  process.exit(1);
}

const pool = createPool(config.DATABASE_URL, { applicationName: 'minishop-auth' });
const redis = createRedis(config.REDIS_URL);
await migrate(pool, MIGRATIONS_DIR);
const passwords = createPasswordHasher();
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
await runService(app, { host: config.HOST, port: config.PORT });
