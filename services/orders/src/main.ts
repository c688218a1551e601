// Orders' entry point: the kit's service process, with its database (20 connections: the saga's
// steps, the resumer and the relay share it) and clients of the services the saga calls.
import { serviceMain } from '@minishop/kit/entry-point';
import { ConfigSchema } from './config.ts';

await serviceMain({
  name: 'orders',
  config: ConfigSchema,
  database: { migrations: new URL('../migrations/', import.meta.url), poolMax: 20 },
  app: async (deps) => {
    const [{ buildApp }, { createUpstreams }] = await Promise.all([
      import('./app.ts'),
      import('./domain/upstreams.ts'),
    ]);
    return buildApp({ ...deps, upstreams: createUpstreams(deps.config) });
  },
});
