// The payments database's SQL migrations (services/payments/migrations), applied at start and by migrate.ts.
import { fileURLToPath } from 'node:url';
import { migrate, type Pool } from '@minishop/kit/db';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export function applyMigrations(pool: Pool): Promise<string[]> {
  return migrate(pool, MIGRATIONS_DIR);
}
