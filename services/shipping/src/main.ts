// Entry point of the shipping service: config, database (migrated), token verifier, the Orders
// client with a service token, then serve until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { createPool, migrate } from '@minishop/kit/db';
import { verifierFromConfig } from '@minishop/kit/jwt';
import { runService } from '@minishop/kit/lifecycle';
import { createServiceClient, serviceToken } from '@minishop/kit/service-client';
import { buildApp } from './app.ts';
import { ConfigSchema } from './config.ts';
import { MIGRATIONS_DIR } from './migrate.ts';

const config = loadConfigOrExit(ConfigSchema, 'shipping');
const pool = createPool(config.DATABASE_URL, { applicationName: 'shipping' });
await migrate(pool, MIGRATIONS_DIR);
const token = serviceToken({
  authUrl: config.AUTH_URL,
  clientId: config.SERVICE_CLIENT_ID,
  clientSecret: config.SERVICE_CLIENT_SECRET,
});
const orders = createServiceClient({
  name: 'orders',
  baseUrl: config.ORDERS_URL,
  timeoutMs: 5_000,
  retries: 1,
  token: token.get,
  onTokenRejected: token.invalidate,
});
const app = await buildApp({ config, pool, tokens: verifierFromConfig(config), orders });
app.addHook('onClose', async () => {
  await pool.end();
});
await runService(app, { host: config.HOST, port: config.PORT });
