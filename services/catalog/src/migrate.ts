// Applies the catalog's migrations and exits (used by deployment jobs before rollout).
import { createPool } from '@minishop/kit/db';
import { loadConfigOrExit } from '@minishop/kit/config';
import { ConfigSchema } from './config.ts';
import { applyMigrations } from './data/migrations.ts';

const config = loadConfigOrExit(ConfigSchema, 'catalog');
const pool = createPool(config.DATABASE_URL, { max: 1, applicationName: 'catalog-migrate' });
try {
  const applied = await applyMigrations(pool);
  console.log(`catalog: ${applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date'}`);
} catch (err) {
  console.error(`catalog: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
