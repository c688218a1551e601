// Entry point of the shipping service: config, tracing when configured, database (migrated), token
// verifier, the Orders client with a service token, then serve until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { startTelemetry } from '@minishop/kit/telemetry';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'shipping');
// Tracing patches http and pg as they load, so the rest is imported after it starts.
await startTelemetry('shipping', config);
const { createPool, migrate } = await import('@minishop/kit/db');
const { verifierFromConfig } = await import('@minishop/kit/jwt');
const { runService } = await import('@minishop/kit/lifecycle');
const { createServiceClient, serviceToken } = await import('@minishop/kit/service-client');
const { buildApp } = await import('./app.ts');
const { MIGRATIONS_DIR } = await import('./migrate.ts');

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
await runService(app, { host: config.HOST, port: config.PORT, managementPort: config.MANAGEMENT_PORT });
