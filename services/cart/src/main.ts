// Cart's entry point: the kit's service process, with Redis (where the carts are).
import { serviceMain } from '@minishop/kit/entry-point';
import { ConfigSchema } from './config.ts';

await serviceMain({
  name: 'cart',
  config: ConfigSchema,
  redis: true,
  app: async (deps) => (await import('./app.ts')).buildApp(deps),
});
