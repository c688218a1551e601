// Notifications service entry point: config → database → migrations → app → listen until stopped.
import { loadConfigOrExit } from '@minishop/kit/config';
import { createPool } from '@minishop/kit/db';
import { verifierFromConfig } from '@minishop/kit/jwt';
import { runService } from '@minishop/kit/lifecycle';
import { buildApp } from './app.ts';
import { ConfigSchema } from './config.ts';
import { applyMigrations } from './data/migrations.ts';

const config = loadConfigOrExit(ConfigSchema, 'notifications');
const pool = createPool(config.DATABASE_URL, { applicationName: 'notifications' });
await applyMigrations(pool);
const app = await buildApp({ config, pool, tokens: verifierFromConfig(config) });
app.addHook('onClose', async () => {
  await pool.end();
});
await runService(app, { host: config.HOST, port: config.PORT });
