// Applies Auth's SQL migrations and exits (used by deployment jobs; main.ts also migrates at start).
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { loadConfigOrExit } from '@minishop/kit/config';
import { createPool, migrate } from '@minishop/kit/db';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

const MigrateConfig = Type.Object({
  DATABASE_URL: Type.String({ minLength: 1, description: 'PostgreSQL URL of the auth database' }),
});

if (import.meta.main) {
  const config = loadConfigOrExit(MigrateConfig, 'auth-migrate');
  const pool = createPool(config.DATABASE_URL, { max: 1, statementTimeoutMs: 60_000 });
  try {
    const applied = await migrate(pool, MIGRATIONS_DIR);
    console.log(applied.length ? `auth: applied ${applied.join(', ')}` : 'auth: database is up to date');
  } catch (err) {
    console.error(`auth: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
