// The Catalog service's environment as one checked schema (property names are the env vars).
import { Type, type Static } from '@sinclair/typebox';
import { ServiceConfig } from '@minishop/kit/config';

export const ConfigSchema = Type.Object({
  ...ServiceConfig(8082, { database: 'catalog', tokens: true }),
  RESERVATION_TTL_SECONDS: Type.Integer({
    minimum: 1,
    maximum: 7 * 24 * 3600,
    default: 900,
    description: 'how long a stock reservation holds its units before the sweeper returns them',
  }),
  RESERVATION_SWEEP_INTERVAL_MS: Type.Integer({
    minimum: 100,
    maximum: 3_600_000,
    default: 30_000,
    description: 'how often expired reservations are looked for',
  }),
});
export type Config = Static<typeof ConfigSchema>;
