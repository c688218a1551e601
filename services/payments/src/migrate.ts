// Applies the payments database's migrations and exits (used by deployment jobs before rollout).
import { migrateCommand } from '@minishop/kit/db';
import { MIGRATIONS_DIR } from './data/migrations.ts';

await migrateCommand('payments', MIGRATIONS_DIR);
