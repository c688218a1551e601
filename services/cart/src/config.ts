// The cart service's environment as one schema, checked at boot (property names are the
// environment variable names).
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, ServiceUrl } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8083, { tokens: true, redis: 'holds the carts' }),
  CATALOG_URL: ServiceUrl(8082, 'Catalog base URL (product names, current prices and stock)'),
  CART_TTL_DAYS: Type.Integer({
    minimum: 1,
    maximum: 3650,
    default: 30,
    description: 'a cart nobody changed for this many days is dropped',
  }),
});
export type Config = Static<typeof ConfigSchema>;
