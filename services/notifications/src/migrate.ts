// Applies the notifications database's migrations and exits (used by deployment jobs before rollout).
import { createPool } from '@minishop/kit/db';
import { loadConfigOrExit } from '@minishop/kit/config';
import { ConfigSchema } from './config.ts';
import { applyMigrations } from './data/migrations.ts';

const config = loadConfigOrExit(ConfigSchema, 'notifications');
const pool = createPool(config.DATABASE_URL, { max: 1, applicationName: 'notifications-migrate' });
try {
  const applied = await applyMigrations(pool);
  console.log(`notifications: ${applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date'}`);
} catch (err) {
  console.error(`notifications: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
