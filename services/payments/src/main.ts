// Payments' entry point: the kit's service process, with its database.
import { serviceMain } from '@minishop/kit/entry-point';
import { ConfigSchema } from './config.ts';

await serviceMain({
  name: 'payments',
  config: ConfigSchema,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  app: async (deps) => (await import('./app.ts')).buildApp(deps),
});
