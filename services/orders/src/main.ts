// Orders entry point: config, tracing when configured, database and migrations, upstream clients,
// then serve.
import path from 'node:path';
import { loadConfigOrExit } from '@minishop/kit/config';
import { startTelemetry } from '@minishop/kit/telemetry';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'orders');
// Tracing patches http and pg as they load, so the rest is imported after it starts.
await startTelemetry('orders', config);
const { createPool, migrate } = await import('@minishop/kit/db');
const { verifierFromConfig } = await import('@minishop/kit/jwt');
const { runService } = await import('@minishop/kit/lifecycle');
const { buildApp } = await import('./app.ts');
const { createUpstreams } = await import('./domain/upstreams.ts');

const pool = createPool(config.DATABASE_URL, { applicationName: 'orders', max: 20 });
await migrate(pool, path.join(import.meta.dirname, '../migrations'));
const app = await buildApp({
  config,
  pool,
  tokens: verifierFromConfig(config),
  upstreams: createUpstreams(config),
});
app.addHook('onClose', () => pool.end());
await runService(app, { host: config.HOST, port: config.PORT, managementPort: config.MANAGEMENT_PORT });
