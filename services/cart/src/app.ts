// Builds the cart service (no listen): carts in Redis, products read from Catalog.
import { createService, type App } from '@minishop/kit/http';
import type { TokenVerifier } from '@minishop/kit/jwt';
import type { Redis } from '@minishop/kit/redis';
import type { ServiceClient } from '@minishop/kit/service-client';
import type { Config } from './config.ts';
import { createCartRepository } from './data/cart.repository.ts';
import { catalogClient, createProductCatalog } from './data/catalog.client.ts';
import { MAX_LINES, MAX_QUANTITY_PER_LINE, type CartDeps } from './domain/cart.ts';
import { cartRoutes } from './routes/cart.routes.ts';

export interface AppDeps {
  config: Config;
  redis: Redis;
  tokens: TokenVerifier;
  /** Catalog client; built from CATALOG_URL when not given. */
  catalog?: ServiceClient;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, redis } = deps;
  const app = await createService(
    { name: 'cart', description: 'One cart per user, priced from the catalog.' },
    deps,
  );
  const cart: CartDeps = {
    carts: createCartRepository(redis, {
      maxQuantityPerLine: MAX_QUANTITY_PER_LINE,
      maxLines: MAX_LINES,
      ttlSeconds: config.CART_TTL_DAYS * 86_400,
    }),
    catalog: createProductCatalog(deps.catalog ?? catalogClient(config.CATALOG_URL)),
  };
  cartRoutes(app, cart);
  return app;
}
