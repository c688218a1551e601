// Auth's entry point: the kit's service process, with its database and Redis (login counters),
// which also makes sure the first admin exists before it listens.
import { serviceMain } from '@minishop/kit/entry-point';
import { ConfigSchema, parseServiceClients, parseTrustedProxies } from './config.ts';

await serviceMain({
  name: 'auth',
  config: ConfigSchema,
  prepare: (config) => {
    parseServiceClients(config.SERVICE_CLIENTS);
    parseTrustedProxies(config.TRUSTED_PROXIES);
    // argon2id runs on libuv's thread pool, which starts with the first task (none has run yet): as
    // many threads as hashes may run at once, so no idle thread keeps an allocator heap of its own.
    process.env.UV_THREADPOOL_SIZE ??= String(config.PASSWORD_HASHES_AT_ONCE);
  },
  database: { migrations: new URL('../migrations/', import.meta.url) },
  redis: true,
  app: async ({ config, pool, redis, log }) => {
    const [{ buildApp }, { ensureFirstAdmin }, { createPasswordHasher }] = await Promise.all([
      import('./app.ts'),
      import('./domain/accounts.ts'),
      import('./domain/passwords.ts'),
    ]);
    const passwords = createPasswordHasher(undefined, { concurrency: config.PASSWORD_HASHES_AT_ONCE });
    const app = await buildApp({ config, pool, redis, passwords });
    const admin = await ensureFirstAdmin(
      { pool, passwords },
      {
        email: config.MINISHOP_ADMIN_EMAIL,
        password: config.MINISHOP_ADMIN_PASSWORD,
        username: config.MINISHOP_ADMIN_USERNAME,
      },
    );
    log.info({ admin: admin.email }, 'first admin ready');
    return app;
  },
});
