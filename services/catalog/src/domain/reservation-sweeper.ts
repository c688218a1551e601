// Expiry of abandoned reservations: reservations still 'reserved' after their expires_at give
// their units back. Safe with several replicas: each claims due rows with SKIP LOCKED. The app
// runs it on the kit's background loop.
import { withTransaction, type Pool } from '@minishop/kit/db';
import * as products from '../data/products.repository.ts';
import * as reservations from '../data/reservations.repository.ts';

export interface SweepOptions {
  /** Expire what is due at this instant (default: the database's now()). */
  asOf?: Date;
  batchSize?: number;
}

/** Expires every due reservation, in batches of one transaction each; returns how many expired. */
export async function sweepExpiredReservations(pool: Pool, options: SweepOptions = {}): Promise<number> {
  const batchSize = options.batchSize ?? 100;
  let total = 0;
  for (;;) {
    const expired = await withTransaction(pool, async (client) => {
      const due = await reservations.expireDue(client, options.asOf ?? null, batchSize);
      if (due.units.length > 0) {
        await products.lockProducts(
          client,
          due.units.map((u) => u.product_id),
        );
        await products.returnStock(client, due.units);
      }
      return due.expired;
    });
    total += expired;
    if (expired < batchSize) return total;
  }
}
