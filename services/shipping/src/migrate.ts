// Applies shipping's SQL migrations and exits (run before a deploy, e.g. as a Kubernetes Job).
import { fileURLToPath } from 'node:url';
import { createPool, migrate } from '@minishop/kit/db';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

// Run as a program (not imported by main.ts for the directory).
if (import.meta.main) {
  const { loadConfigOrExit } = await import('@minishop/kit/config');
  const { ConfigSchema } = await import('./config.ts');
  const config = loadConfigOrExit(ConfigSchema, 'shipping');
  const pool = createPool(config.DATABASE_URL, { applicationName: 'shipping-migrate' });
  try {
    const applied = await migrate(pool, MIGRATIONS_DIR);
    console.log(
      applied.length ? `shipping: applied ${applied.join(', ')}` : 'shipping: database is up to date',
    );
  } finally {
    await pool.end();
  }
}
