// Payments service entry point: config → tracing (when configured) → database → migrations → app →
// listen until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { startTelemetry } from '@minishop/kit/telemetry';
import { ConfigSchema } from './config.ts';

const config = loadConfigOrExit(ConfigSchema, 'payments');
// Tracing patches http and pg as they load, so the rest is imported after it starts.
await startTelemetry('payments', config);
const { createPool } = await import('@minishop/kit/db');
const { verifierFromConfig } = await import('@minishop/kit/jwt');
const { runService } = await import('@minishop/kit/lifecycle');
const { buildApp } = await import('./app.ts');
const { applyMigrations } = await import('./data/migrations.ts');

const pool = createPool(config.DATABASE_URL, { applicationName: 'payments' });
await applyMigrations(pool);
const app = await buildApp({ config, pool, tokens: verifierFromConfig(config) });
app.addHook('onClose', async () => {
  await pool.end();
});
await runService(app, { host: config.HOST, port: config.PORT, managementPort: config.MANAGEMENT_PORT });
