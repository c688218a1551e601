// SQL for orders: rows with their items and status history, placed in one statement (with the
// Idempotency-Key's claim when there is one), read with their items in one query, and listed.
import { prepared, type Queryable } from '@minishop/kit/db';

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled';
export type SagaStep =
  'reserving' | 'charging' | 'committing' | 'shipping' | 'clearing' | 'releasing' | 'refunding' | 'done';
/** Why an order was cancelled: by its buyer ('requested'), by the shop ('by_shop'), or for want of stock. */
export type CancelReason = 'requested' | 'by_shop' | 'out_of_stock' | 'stock_lost_after_payment';

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postal_code: string;
  country: string;
}

export interface OrderItemRow {
  product_id: string;
  /** The cart's name until stock is reserved, then the reservation's. */
  name: string | null;
  /** The reservation's price; null until stock is reserved. */
  unit_price_cents: number | null;
  quantity: number;
}

export interface OrderRow {
  id: string;
  user_id: string;
  email: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  shipping_address: ShippingAddress;
  payment_method: string;
  attempt: number;
  payment_id: string | null;
  shipment_id: string | null;
  tracking_number: string | null;
  carrier: string | null;
  saga_step: SagaStep;
  lease_until: Date | null;
  saga_attempts: number;
  attention: string | null;
  payment_error: string | null;
  cancel_reason: CancelReason | null;
  created_at: Date;
  updated_at: Date;
  items: OrderItemRow[];
}

export interface HistoryRow {
  status: string;
  reason: string | null;
  created_at: Date;
}

/** The columns of an order row, for SELECT and RETURNING (items come separately). */
export const ORDER_COLUMNS = `id, user_id, email, status, total_cents::float8 AS total_cents, currency,
  shipping_address, payment_method, attempt, payment_id, shipment_id, tracking_number, carrier, saga_step,
  lease_until, saga_attempts, attention, payment_error, cancel_reason, created_at, updated_at`;

/** The order's items as a JSON array, for a query or RETURNING over `orders` (unaliased). */
export const ITEMS_COLUMN = `(SELECT coalesce(json_agg(json_build_object('product_id', i.product_id,
    'name', i.name, 'unit_price_cents', i.unit_price_cents, 'quantity', i.quantity)
    ORDER BY i.name, i.product_id), '[]'::json)
  FROM order_items i WHERE i.order_id = orders.id) AS items`;

export interface NewOrder {
  id: string;
  user_id: string;
  email: string;
  shipping_address: ShippingAddress;
  payment_method: string;
  lines: { product_id: string; name: string | null; quantity: number }[];
  /** The worker that will drive its saga, and for how long it holds the order. */
  owner: string;
  leaseMs: number;
}

export interface KeyClaim {
  userId: string;
  key: string;
  hash: string;
}

/**
 * Inserts the order (step reserving, leased to its owner) and its lines in one statement, so no
 * crash leaves one without the other. With a key, the key is claimed in the same statement: the
 * order is inserted only if the claim is new (or a claim whose request died before it made its
 * order, which older versions could leave), and null means another request holds the key.
 */
export async function insertOrder(
  db: Queryable,
  order: NewOrder,
  claim?: KeyClaim,
): Promise<OrderRow | null> {
  const params: unknown[] = [
    order.id,
    order.user_id,
    order.email,
    order.shipping_address,
    order.payment_method,
    order.leaseMs / 1000,
    order.owner,
    order.lines.map((l) => l.product_id),
    order.lines.map((l) => l.name),
    order.lines.map((l) => l.quantity),
  ];
  let source = 'SELECT $1::uuid AS order_id';
  if (claim) {
    params.push(claim.key, claim.hash);
    source = `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, locked_until)
      VALUES ($2, $11, $12, $1, now() + make_interval(secs => $6))
      ON CONFLICT (user_id, key) DO UPDATE SET locked_until = EXCLUDED.locked_until
        WHERE idempotency_keys.locked_until < now() AND idempotency_keys.response_status IS NULL
          AND idempotency_keys.request_hash = EXCLUDED.request_hash
          AND NOT EXISTS (SELECT 1 FROM orders WHERE orders.id = idempotency_keys.order_id)
      RETURNING order_id`;
  }
  const { rows } = await db.query<Omit<OrderRow, 'items'>>(
    prepared(
      `WITH claim AS (${source}),
     placed AS (
       INSERT INTO orders (id, user_id, email, status, total_cents, shipping_address, payment_method,
         saga_step, lease_until, lease_owner)
       SELECT order_id, $2, $3, 'pending', 0, $4, $5, 'reserving', now() + make_interval(secs => $6), $7
       FROM claim
       RETURNING ${ORDER_COLUMNS}),
     lines AS (
       INSERT INTO order_items (order_id, product_id, name, quantity)
       SELECT placed.id, l.product_id, l.name, l.quantity
       FROM placed, unnest($8::uuid[], $9::text[], $10::int[]) AS l(product_id, name, quantity))
     SELECT * FROM placed`,
      params,
    ),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...row,
    items: order.lines.map((l) => ({ ...l, unit_price_cents: null })),
  };
}

export async function findOrder(db: Queryable, id: string): Promise<OrderRow | null> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS}, ${ITEMS_COLUMN} FROM orders WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function historyOf(db: Queryable, id: string): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    'SELECT status, reason, created_at FROM order_status_history WHERE order_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}

export interface OrderFilter {
  /** Only this user's orders; null for everyone's. */
  userId: string | null;
  status?: OrderStatus;
  /** Only orders an admin must look at. */
  attention?: boolean;
  limit: number;
  offset: number;
}

export async function listOrders(
  db: Queryable,
  filter: OrderFilter,
): Promise<{ total: number; orders: OrderRow[] }> {
  const params: unknown[] = [filter.limit, filter.offset];
  const where: string[] = [];
  if (filter.userId) where.push(`user_id = $${params.push(filter.userId)}`);
  if (filter.status) where.push(`status = $${params.push(filter.status)}`);
  if (filter.attention) where.push('attention IS NOT NULL');
  const { rows } = await db.query<OrderRow & { total: string }>(
    `SELECT ${ORDER_COLUMNS}, ${ITEMS_COLUMN}, count(*) OVER () AS total FROM orders
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
    params,
  );
  return {
    total: rows.length > 0 ? Number(rows[0]!.total) : 0,
    orders: rows.map(({ total: _total, ...r }) => r),
  };
}
