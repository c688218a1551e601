// SQL for stock reservations: one row per order plus its items with the reserved prices.
import type { Queryable } from '@minishop/kit/db';

export type ReservationStatus = 'reserved' | 'committed' | 'released' | 'expired';

export interface ReservationItemRow {
  product_id: string;
  name: string;
  unit_price_cents: number;
  quantity: number;
}

export interface ReservationRow {
  order_id: string;
  status: ReservationStatus;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
  items: ReservationItemRow[];
}

type HeaderRow = Omit<ReservationRow, 'items'>;

const COLUMNS = 'order_id, status, expires_at, created_at, updated_at';

/** Creates the reservation unless the order already has one; null when it does. */
export async function insertReservation(
  db: Queryable,
  orderId: string,
  ttlSeconds: number,
): Promise<HeaderRow | null> {
  const { rows } = await db.query<HeaderRow>(
    `INSERT INTO reservations (order_id, status, expires_at)
     VALUES ($1, 'reserved', now() + make_interval(secs => $2))
     ON CONFLICT (order_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [orderId, ttlSeconds],
  );
  return rows[0] ?? null;
}

export async function insertItems(
  db: Queryable,
  orderId: string,
  items: ReservationItemRow[],
): Promise<void> {
  await db.query(
    `INSERT INTO reservation_items (order_id, product_id, name, unit_price_cents, quantity)
     SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::int[])`,
    [
      orderId,
      items.map((i) => i.product_id),
      items.map((i) => i.name),
      items.map((i) => i.unit_price_cents),
      items.map((i) => i.quantity),
    ],
  );
}

async function itemsOf(db: Queryable, orderId: string): Promise<ReservationItemRow[]> {
  const { rows } = await db.query<
    Omit<ReservationItemRow, 'unit_price_cents'> & { unit_price_cents: string }
  >(
    `SELECT product_id, name, unit_price_cents, quantity FROM reservation_items
     WHERE order_id = $1 ORDER BY product_id`,
    [orderId],
  );
  return rows.map((r) => ({ ...r, unit_price_cents: Number(r.unit_price_cents) }));
}

/** Reads a reservation; with `lock` its row stays locked until the transaction ends. */
export async function findReservation(
  db: Queryable,
  orderId: string,
  options: { lock?: boolean } = {},
): Promise<ReservationRow | null> {
  const { rows } = await db.query<HeaderRow>(
    `SELECT ${COLUMNS} FROM reservations WHERE order_id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  const header = rows[0];
  if (!header) return null;
  return { ...header, items: await itemsOf(db, orderId) };
}

export async function setStatus(
  db: Queryable,
  orderId: string,
  status: ReservationStatus,
): Promise<HeaderRow> {
  const { rows } = await db.query<HeaderRow>(
    `UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1 RETURNING ${COLUMNS}`,
    [orderId, status],
  );
  return rows[0]!;
}

/**
 * Marks up to `limit` due reservations expired, skipping rows another replica is working on,
 * and returns the units they held per product (to be put back in the same transaction).
 */
export async function expireDue(
  db: Queryable,
  asOf: Date | null,
  limit: number,
): Promise<{ expired: number; units: { product_id: string; quantity: number }[] }> {
  const { rows } = await db.query<{ order_id: string }>(
    `WITH due AS (
       SELECT order_id FROM reservations
       WHERE status = 'reserved' AND expires_at <= COALESCE($1::timestamptz, now())
       ORDER BY expires_at
       LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     UPDATE reservations r SET status = 'expired', updated_at = now()
     FROM due WHERE r.order_id = due.order_id
     RETURNING r.order_id`,
    [asOf, limit],
  );
  if (rows.length === 0) return { expired: 0, units: [] };
  const units = await db.query<{ product_id: string; quantity: number }>(
    `SELECT product_id, sum(quantity)::int AS quantity FROM reservation_items
     WHERE order_id = ANY($1::uuid[]) GROUP BY product_id ORDER BY product_id`,
    [rows.map((r) => r.order_id)],
  );
  return { expired: rows.length, units: units.rows };
}

/** Holds a released or expired reservation again, with a fresh expiry. */
export async function reactivate(db: Queryable, orderId: string, ttlSeconds: number): Promise<HeaderRow> {
  const { rows } = await db.query<HeaderRow>(
    `UPDATE reservations SET status = 'reserved', expires_at = now() + make_interval(secs => $2), updated_at = now()
     WHERE order_id = $1 RETURNING ${COLUMNS}`,
    [orderId, ttlSeconds],
  );
  return rows[0]!;
}
