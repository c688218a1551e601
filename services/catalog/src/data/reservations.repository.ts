// SQL for stock reservations: one row per order plus its items with the reserved prices.
import { prepared, type Queryable } from '@minishop/kit/db';
import type { LockedProduct } from './products.repository.ts';

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

export interface NewReservation {
  /** The new reservation; null when the order already has one (nothing was changed). */
  header: HeaderRow | null;
  /** The requested products as they stood, locked (deleted ones included, unknown ones absent). */
  products: LockedProduct[];
  /** Every item was in stock, its units were taken and the items were written. */
  taken: boolean;
}

/**
 * Creates the order's reservation and takes its units in one statement: the products are locked
 * in id order (so concurrent reservations queue instead of deadlocking), and the stock is taken
 * and the items written only if every item is there. When some are short the header is written
 * all the same: the caller rolls the transaction back. Items must be distinct.
 */
export async function reserveNew(
  db: Queryable,
  orderId: string,
  ttlSeconds: number,
  items: { product_id: string; quantity: number }[],
): Promise<NewReservation> {
  const { rows } = await db.query<{ header: HeaderRow | null; products: LockedProduct[]; taken: boolean }>(
    prepared(
      `WITH header AS (
       INSERT INTO reservations (order_id, status, expires_at)
       VALUES ($1, 'reserved', now() + make_interval(secs => $2))
       ON CONFLICT (order_id) DO NOTHING
       RETURNING ${COLUMNS}),
     wanted AS (SELECT * FROM unnest($3::uuid[], $4::int[]) AS w(product_id, quantity)),
     locked AS (
       SELECT id, name, price_cents, stock, deleted_at IS NOT NULL AS deleted FROM products
       WHERE id = ANY($3::uuid[]) AND EXISTS (SELECT 1 FROM header)
       ORDER BY id FOR UPDATE),
     enough AS (
       SELECT count(*) = cardinality($3::uuid[]) AS ok FROM wanted w JOIN locked l ON l.id = w.product_id
       WHERE NOT l.deleted AND l.stock >= w.quantity),
     taken AS (
       -- Still conditional, so stock can never go negative whatever the check above said.
       UPDATE products p SET stock = p.stock - w.quantity
       FROM wanted w, enough WHERE enough.ok AND p.id = w.product_id AND p.stock >= w.quantity
       RETURNING p.id),
     held AS (
       INSERT INTO reservation_items (order_id, product_id, name, unit_price_cents, quantity)
       SELECT $1, l.id, l.name, l.price_cents, w.quantity
       FROM locked l JOIN wanted w ON w.product_id = l.id, enough WHERE enough.ok
       RETURNING product_id)
     SELECT (SELECT to_json(header) FROM header) AS header,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'price_cents', price_cents,
          'stock', stock, 'deleted', deleted)), '[]'::json) FROM locked) AS products,
       (SELECT count(*) FROM taken) = cardinality($3::uuid[])
         AND (SELECT count(*) FROM held) = cardinality($3::uuid[]) AS taken`,
      [orderId, ttlSeconds, items.map((i) => i.product_id), items.map((i) => i.quantity)],
    ),
  );
  const row = rows[0]!;
  const header = row.header && {
    ...row.header,
    expires_at: new Date(row.header.expires_at),
    created_at: new Date(row.header.created_at),
    updated_at: new Date(row.header.updated_at),
  };
  return { header, products: row.products, taken: row.taken };
}

/** The reservation's items as a JSON array, for a query over `reservations` (unaliased). */
const ITEMS = `(SELECT coalesce(json_agg(json_build_object('product_id', i.product_id, 'name', i.name,
    'unit_price_cents', i.unit_price_cents, 'quantity', i.quantity) ORDER BY i.product_id), '[]'::json)
  FROM reservation_items i WHERE i.order_id = reservations.order_id) AS items`;

/** Reads a reservation with its items; with `lock` its row stays locked until the transaction ends. */
export async function findReservation(
  db: Queryable,
  orderId: string,
  options: { lock?: boolean } = {},
): Promise<ReservationRow | null> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT ${COLUMNS}, ${ITEMS} FROM reservations WHERE order_id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0] ?? null;
}

/** Commits a reservation that still holds its units, in one statement; null when it does not. */
export async function commitHeld(db: Queryable, orderId: string): Promise<ReservationRow | null> {
  const { rows } = await db.query<ReservationRow>(
    prepared(
      `UPDATE reservations SET status = 'committed', updated_at = now()
     WHERE order_id = $1 AND status = 'reserved'
     RETURNING ${COLUMNS}, ${ITEMS}`,
      [orderId],
    ),
  );
  return rows[0] ?? null;
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
