// The gateway's entry point: the kit's service process, with Redis (rate-limit counters).
import { serviceMain } from '@minishop/kit/entry-point';
import { ConfigSchema } from './config.ts';

await serviceMain({
  name: 'gateway',
  config: ConfigSchema,
  redis: true,
  app: async (deps) => (await import('./app.ts')).buildApp(deps),
});
