// The shipping service's environment as one schema, checked at boot (property names are the
// environment variable names).
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig, ServiceUrl } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8086, { database: 'shipping', tokens: true, client: 'shipping' }),
  ORDERS_URL: ServiceUrl(8084, 'Orders base URL (receives shipment status events)'),
  CARRIER_NAME: Type.String({
    minLength: 1,
    maxLength: 100,
    default: 'Minishop Express',
    description: 'carrier shown on every shipment',
  }),
});
export type Config = Static<typeof ConfigSchema>;
