// Shipping's entry point: the kit's service process, with its database and a client of Orders
// (which receives shipment status events) that carries Shipping's service token.
import { serviceMain } from '@minishop/kit/entry-point';
import { ConfigSchema } from './config.ts';

await serviceMain({
  name: 'shipping',
  config: ConfigSchema,
  database: { migrations: new URL('../migrations/', import.meta.url) },
  app: async (deps) => {
    const [{ buildApp }, { createServiceClient, serviceToken }] = await Promise.all([
      import('./app.ts'),
      import('@minishop/kit/service-client'),
    ]);
    const { config } = deps;
    const token = serviceToken({
      authUrl: config.AUTH_URL,
      clientId: config.SERVICE_CLIENT_ID,
      clientSecret: config.SERVICE_CLIENT_SECRET,
    });
    const orders = createServiceClient({
      name: 'orders',
      baseUrl: config.ORDERS_URL,
      timeoutMs: 5_000,
      retries: 1,
      token: token.get,
      onTokenRejected: token.invalidate,
    });
    return buildApp({ ...deps, orders });
  },
});
