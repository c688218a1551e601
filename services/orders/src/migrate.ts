// Applies Orders' migrations and exits (used by the deployment's migration job).
import path from 'node:path';
import { Type } from '@sinclair/typebox';
import { loadConfigOrExit } from '@minishop/kit/config';
import { createPool, migrate } from '@minishop/kit/db';

const { DATABASE_URL } = loadConfigOrExit(
  Type.Object({ DATABASE_URL: Type.String({ minLength: 1 }) }),
  'orders-migrate',
);
const pool = createPool(DATABASE_URL, { applicationName: 'orders-migrate', max: 1 });
try {
  const applied = await migrate(pool, path.join(import.meta.dirname, '../migrations'));
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
} finally {
  await pool.end();
}
