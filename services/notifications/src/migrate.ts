// Applies the notifications database's migrations and exits (used by deployment jobs before rollout).
import { migrateCommand } from '@minishop/kit/db';
import { MIGRATIONS_DIR } from './data/migrations.ts';

await migrateCommand('notifications', MIGRATIONS_DIR);
