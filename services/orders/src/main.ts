// Orders entry point: config, database and migrations, upstream clients, then serve.
import path from 'node:path';
import { loadConfigOrExit } from '@minishop/kit/config';
import { createPool, migrate } from '@minishop/kit/db';
import { verifierFromConfig } from '@minishop/kit/jwt';
import { runService } from '@minishop/kit/lifecycle';
import { buildApp } from './app.ts';
import { ConfigSchema } from './config.ts';
import { createUpstreams } from './domain/upstreams.ts';

const config = loadConfigOrExit(ConfigSchema, 'orders');
const pool = createPool(config.DATABASE_URL, { applicationName: 'orders', max: 20 });
await migrate(pool, path.join(import.meta.dirname, '../migrations'));
const app = await buildApp({
  config,
  pool,
  tokens: verifierFromConfig(config),
  upstreams: createUpstreams(config),
});
app.addHook('onClose', () => pool.end());
await runService(app, { host: config.HOST, port: config.PORT });
