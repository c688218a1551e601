// SQL for orders: rows with their items, their status history, and listing.
import type { Queryable } from '@minishop/kit/db';
export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled';

export type SagaStep =
  'reserving' | 'charging' | 'committing' | 'shipping' | 'clearing' | 'releasing' | 'refunding' | 'done';

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
  /** Name and price come from Catalog's reservation; null until stock is reserved. */
  name: string | null;
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
  created_at: Date;
  updated_at: Date;
  items: OrderItemRow[];
}

export interface HistoryRow {
  status: string;
  reason: string | null;
  created_at: Date;
}

const COLUMNS = `id, user_id, email, status, total_cents::float8 AS total_cents, currency, shipping_address,
  payment_method, attempt, payment_id, shipment_id, tracking_number, carrier, saga_step, lease_until, saga_attempts, attention, payment_error, created_at, updated_at`;

export interface NewOrder {
  id: string;
  user_id: string;
  email: string;
  shipping_address: ShippingAddress;
  payment_method: string;
  lines: { product_id: string; quantity: number }[];
  leaseMs: number;
}

/**
 * Inserts the order (step reserving, leased to the caller) with its lines; false when an order
 * with this id exists already.
 */
export async function insertOrder(db: Queryable, order: NewOrder): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO orders (id, user_id, email, status, total_cents, shipping_address, payment_method, saga_step, lease_until)
     VALUES ($1, $2, $3, 'pending', 0, $4, $5, 'reserving', now() + make_interval(secs => $6))
     ON CONFLICT (id) DO NOTHING`,
    [
      order.id,
      order.user_id,
      order.email,
      order.shipping_address,
      order.payment_method,
      order.leaseMs / 1000,
    ],
  );
  if (rowCount === 0) return false;
  await db.query(
    `INSERT INTO order_items (order_id, product_id, quantity)
     SELECT $1, * FROM unnest($2::uuid[], $3::int[])`,
    [order.id, order.lines.map((i) => i.product_id), order.lines.map((i) => i.quantity)],
  );
  return true;
}

/** Takes names and prices from the reservation and sets the total from them. */
export async function setReservedPrices(
  db: Queryable,
  id: string,
  items: { product_id: string; name: string; unit_price_cents: number }[],
): Promise<void> {
  await db.query(
    `UPDATE order_items oi SET name = r.name, unit_price_cents = r.price
     FROM unnest($2::uuid[], $3::text[], $4::bigint[]) AS r(product_id, name, price)
     WHERE oi.order_id = $1 AND oi.product_id = r.product_id`,
    [id, items.map((i) => i.product_id), items.map((i) => i.name), items.map((i) => i.unit_price_cents)],
  );
  await db.query(
    `UPDATE orders SET total_cents = (SELECT sum(unit_price_cents * quantity) FROM order_items WHERE order_id = $1)
     WHERE id = $1`,
    [id],
  );
}

/** Removes an order that never got its stock (nothing was charged or announced). */
export async function deleteUnreserved(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM orders WHERE id = $1 AND saga_step = 'reserving' AND attempt = 1`,
    [id],
  );
  return rowCount === 1;
}

export async function addHistory(db: Queryable, orderId: string, status: OrderStatus, reason: string | null) {
  await db.query('INSERT INTO order_status_history (order_id, status, reason) VALUES ($1, $2, $3)', [
    orderId,
    status,
    reason,
  ]);
}

async function itemsOf(db: Queryable, orderIds: string[]): Promise<Map<string, OrderItemRow[]>> {
  const { rows } = await db.query<OrderItemRow & { order_id: string }>(
    `SELECT order_id, product_id, name, unit_price_cents::float8 AS unit_price_cents, quantity
     FROM order_items WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, name, product_id`,
    [orderIds],
  );
  const byOrder = new Map<string, OrderItemRow[]>();
  for (const { order_id, ...item } of rows) {
    const list = byOrder.get(order_id) ?? [];
    list.push(item);
    byOrder.set(order_id, list);
  }
  return byOrder;
}

export async function findOrder(db: Queryable, id: string): Promise<OrderRow | null> {
  const { rows } = await db.query<Omit<OrderRow, 'items'>>(`SELECT ${COLUMNS} FROM orders WHERE id = $1`, [
    id,
  ]);
  const row = rows[0];
  if (!row) return null;
  return { ...row, items: (await itemsOf(db, [id])).get(id) ?? [] };
}

export async function historyOf(db: Queryable, id: string): Promise<HistoryRow[]> {
  const { rows } = await db.query<HistoryRow>(
    'SELECT status, reason, created_at FROM order_status_history WHERE order_id = $1 ORDER BY id',
    [id],
  );
  return rows;
}

export async function listOrders(
  db: Queryable,
  filter: { userId: string | null; limit: number; offset: number },
): Promise<{ total: number; orders: OrderRow[] }> {
  const where = filter.userId ? 'WHERE user_id = $3' : '';
  const params: unknown[] = [filter.limit, filter.offset];
  if (filter.userId) params.push(filter.userId);
  const { rows } = await db.query<Omit<OrderRow, 'items'> & { total: string }>(
    `SELECT ${COLUMNS}, count(*) OVER () AS total FROM orders ${where}
     ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`,
    params,
  );
  const items = await itemsOf(
    db,
    rows.map((r) => r.id),
  );
  return {
    total: rows.length > 0 ? Number(rows[0]!.total) : 0,
    orders: rows.map(({ total: _total, ...r }) => ({ ...r, items: items.get(r.id) ?? [] })),
  };
}

export async function setStatus(
  db: Queryable,
  id: string,
  from: OrderStatus[],
  to: OrderStatus,
): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE orders SET status = $3, updated_at = now() WHERE id = $1 AND status = ANY($2::text[])',
    [id, from, to],
  );
  return rowCount === 1;
}
