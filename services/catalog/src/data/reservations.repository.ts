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
  /** The new reservation; null when nothing was written (the order has one, or items are short). */
  header: HeaderRow | null;
  /** The requested products as they stood, locked (deleted ones included, unknown ones absent). */
  products: LockedProduct[];
}

/**
 * Creates the order's reservation and takes its units in one statement, so it needs no
 * transaction around it: the products are locked in id order (so concurrent reservations queue
 * instead of deadlocking), and the header is written only if every item is there, live and in
 * stock, and only then are the units taken and the items written. The stock update is not
 * conditional: the rows are locked and checked, and the table's CHECK (stock >= 0) would fail the
 * whole statement rather than let stock go negative. An order that already has a reservation
 * locks nothing; one whose first reservation is being written waits for it at the products it
 * shares, or at the header. Items must be distinct.
 */
export async function reserveNew(
  db: Queryable,
  orderId: string,
  ttlSeconds: number,
  items: { product_id: string; quantity: number }[],
): Promise<NewReservation> {
  const { rows } = await db.query<{ header: HeaderRow | null; products: LockedProduct[] }>(
    prepared(
      `WITH wanted AS (SELECT * FROM unnest($3::uuid[], $4::int[]) AS w(product_id, quantity)),
     locked AS (
       SELECT id, name, price_cents, stock, deleted_at IS NOT NULL AS deleted FROM products
       WHERE id = ANY($3::uuid[]) AND NOT EXISTS (SELECT 1 FROM reservations WHERE order_id = $1)
       ORDER BY id FOR UPDATE),
     enough AS (
       SELECT count(*) = cardinality($3::uuid[]) AS ok FROM wanted w JOIN locked l ON l.id = w.product_id
       WHERE NOT l.deleted AND l.stock >= w.quantity),
     header AS (
       INSERT INTO reservations (order_id, status, expires_at)
       SELECT $1::uuid, 'reserved', now() + make_interval(secs => $2) FROM enough WHERE enough.ok
       ON CONFLICT (order_id) DO NOTHING
       RETURNING ${COLUMNS}),
     taken AS (
       UPDATE products p SET stock = p.stock - w.quantity
       FROM wanted w, header WHERE p.id = w.product_id),
     held AS (
       INSERT INTO reservation_items (order_id, product_id, name, unit_price_cents, quantity)
       SELECT header.order_id, l.id, l.name, l.price_cents, w.quantity
       FROM locked l JOIN wanted w ON w.product_id = l.id, header)
     SELECT (SELECT to_json(header) FROM header) AS header,
       (SELECT coalesce(json_agg(json_build_object('id', id, 'name', name, 'price_cents', price_cents,
          'stock', stock, 'deleted', deleted)), '[]'::json) FROM locked) AS products`,
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
  return { header, products: row.products };
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
