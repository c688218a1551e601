// What the catalog's use cases need: its database and its configuration.
import type { Pool } from '@minishop/kit/db';
import type { Config } from '../config.ts';

export interface CatalogContext {
  pool: Pool;
  config: Pick<Config, 'RESERVATION_TTL_SECONDS'>;
}
