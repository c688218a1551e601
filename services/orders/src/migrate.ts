// Applies Orders' migrations and exits (used by the deployment's migration job).
import path from 'node:path';
import { migrateCommand } from '@minishop/kit/db';

await migrateCommand('orders', path.join(import.meta.dirname, '../migrations'));
