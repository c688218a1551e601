// Which service answers which public path prefix. Services serve their own public prefixes,
// so the gateway forwards paths unchanged and only picks the origin.
import type { Config } from './config.ts';

export interface Upstream {
  name: string;
  /** Origin of the service, e.g. http://127.0.0.1:8082 (no trailing slash, no path). */
  origin: string;
  /** Fastify route patterns the service answers for. */
  routes: string[];
}

export function upstreamsFromConfig(config: Config): Upstream[] {
  const origin = (url: string) => new URL(url).origin;
  return [
    { name: 'auth', origin: origin(config.AUTH_URL), routes: ['/auth/*'] },
    { name: 'catalog', origin: origin(config.CATALOG_URL), routes: ['/catalog/*'] },
    { name: 'cart', origin: origin(config.CART_URL), routes: ['/cart', '/cart/*'] },
    { name: 'orders', origin: origin(config.ORDERS_URL), routes: ['/orders', '/orders/*'] },
    { name: 'payments', origin: origin(config.PAYMENTS_URL), routes: ['/payments', '/payments/*'] },
    { name: 'shipping', origin: origin(config.SHIPPING_URL), routes: ['/shipping', '/shipping/*'] },
    {
      name: 'notifications',
      origin: origin(config.NOTIFICATIONS_URL),
      // Its other path, /notify, is for services only (internal-paths.ts).
      routes: ['/notifications', '/notifications/*'],
    },
  ];
}
