// The shipping service's environment as one schema, checked at boot (property names are the
// environment variable names).
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, DatabaseUrl, ServiceClientConfig, TokenConfig } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8086),
  ...TokenConfig,
  DATABASE_URL: DatabaseUrl('shipping'),
  ORDERS_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8084',
    description: 'Orders base URL (receives shipment status events)',
  }),
  ...ServiceClientConfig,
  SERVICE_CLIENT_ID: Type.String({
    minLength: 1,
    default: 'shipping',
    description: 'client id registered in Auth',
  }),
  CARRIER_NAME: Type.String({
    minLength: 1,
    maxLength: 100,
    default: 'Minishop Express',
    description: 'carrier shown on every shipment',
  }),
});
export type Config = Static<typeof ConfigSchema>;
