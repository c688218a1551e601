// Applies Shipping's SQL migrations and exits (used by deployment jobs; main.ts also migrates at start).
import { fileURLToPath } from 'node:url';
import { migrateCommand } from '@minishop/kit/db';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

if (import.meta.main) await migrateCommand('shipping', MIGRATIONS_DIR);
