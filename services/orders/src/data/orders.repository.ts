// SQL for orders: rows with their items and history, saga progress moved by compare-and-set
// on the current step, worker leases, and idempotency keys.
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

/** Takes the saga lease unless another worker holds it; true when taken. */
export async function claimLease(db: Queryable, id: string, leaseMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE orders SET lease_until = now() + make_interval(secs => $2)
     WHERE id = $1 AND saga_step <> 'done' AND (lease_until IS NULL OR lease_until < now())`,
    [id, leaseMs / 1000],
  );
  return rowCount === 1;
}

/** Records the payment attempt under way (its outcome is not known yet). */
export async function setPaymentId(db: Queryable, id: string, paymentId: string): Promise<void> {
  await db.query('UPDATE orders SET payment_id = $2, updated_at = now() WHERE id = $1', [id, paymentId]);
}

/** Forgets Idempotency-Keys older than a day (clients retry within minutes, not days). */
export async function deleteOldKeys(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
  );
  return rowCount ?? 0;
}

/** Extends the caller's lease before a step that may take long. */
export async function renewLease(db: Queryable, id: string, leaseMs: number): Promise<void> {
  await db.query('UPDATE orders SET lease_until = now() + make_interval(secs => $2) WHERE id = $1', [
    id,
    leaseMs / 1000,
  ]);
}

export async function releaseLease(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE orders SET lease_until = NULL WHERE id = $1', [id]);
}

export interface StepChange {
  status?: OrderStatus;
  payment_id?: string | null;
  shipment_id?: string;
  tracking_number?: string;
  carrier?: string;
  attempt?: number;
  payment_method?: string;
  attention?: string | null;
  payment_error?: string | null;
  leaseMs?: number;
}

/**
 * Moves the saga from `from` to `to` (and the status, when given) only if it still stands at
 * `from`; false when someone else moved it first. Resets the retry counter.
 */
export async function advance(
  db: Queryable,
  id: string,
  from: SagaStep | SagaStep[],
  to: SagaStep,
  change: StepChange = {},
): Promise<boolean> {
  const sets = ['saga_step = $3', 'updated_at = now()', 'saga_attempts = 0', 'next_try_at = now()'];
  const params: unknown[] = [id, Array.isArray(from) ? from : [from], to];
  for (const key of [
    'status',
    'payment_id',
    'shipment_id',
    'tracking_number',
    'carrier',
    'attempt',
    'payment_method',
    'attention',
    'payment_error',
  ] as const) {
    if (change[key] !== undefined) {
      params.push(change[key]);
      sets.push(`${key} = $${params.length}`);
    }
  }
  if (change.leaseMs !== undefined) {
    params.push(change.leaseMs / 1000);
    sets.push(`lease_until = now() + make_interval(secs => $${params.length})`);
  }
  const { rowCount } = await db.query(
    `UPDATE orders SET ${sets.join(', ')} WHERE id = $1 AND saga_step = ANY($2::text[])`,
    params,
  );
  return rowCount === 1;
}

/** Records a failed try of the current step: the order is tried again after a backoff. */
export async function postpone(
  db: Queryable,
  id: string,
  delayMs: number,
  attention: string | null,
): Promise<number> {
  const { rows } = await db.query<{ saga_attempts: number }>(
    `UPDATE orders SET saga_attempts = saga_attempts + 1, lease_until = NULL,
       next_try_at = now() + make_interval(secs => $2), attention = COALESCE($3, attention), updated_at = now()
     WHERE id = $1 RETURNING saga_attempts`,
    [id, delayMs / 1000, attention],
  );
  return rows[0]?.saga_attempts ?? 0;
}

/** Orders whose saga is unfinished, due, and not driven by anyone right now. */
export async function dueOrders(db: Queryable, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM orders
     WHERE saga_step <> 'done' AND next_try_at <= now() AND (lease_until IS NULL OR lease_until < now())
     ORDER BY next_try_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => r.id);
}

export interface IdempotencyRow {
  request_hash: string;
  order_id: string;
  response_status: number | null;
  response_body: Record<string, unknown> | null;
  locked_until: Date;
  expired: boolean;
}

/** Claims the key for this request; returns null when claimed now, else the existing claim. */
export async function claimKey(
  db: Queryable,
  claim: { userId: string; key: string; hash: string; orderId: string; lockMs: number },
): Promise<IdempotencyRow | null> {
  const { rowCount } = await db.query(
    `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, locked_until)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) ON CONFLICT DO NOTHING`,
    [claim.userId, claim.key, claim.hash, claim.orderId, claim.lockMs / 1000],
  );
  if (rowCount === 1) return null;
  return findKey(db, claim.userId, claim.key);
}

export async function findKey(db: Queryable, userId: string, key: string): Promise<IdempotencyRow | null> {
  const { rows } = await db.query<IdempotencyRow>(
    `SELECT request_hash, order_id, response_status, response_body, locked_until, locked_until < now() AS expired
     FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
    [userId, key],
  );
  return rows[0] ?? null;
}

/** Takes over a claim whose request died before creating its order. */
export async function takeOverKey(
  db: Queryable,
  userId: string,
  key: string,
  lockMs: number,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE idempotency_keys SET locked_until = now() + make_interval(secs => $3)
     WHERE user_id = $1 AND key = $2 AND locked_until < now() AND response_status IS NULL`,
    [userId, key, lockMs / 1000],
  );
  return rowCount === 1;
}

export async function storeKeyResponse(
  db: Queryable,
  userId: string,
  key: string,
  status: number,
  body: Record<string, unknown>,
): Promise<void> {
  await db.query(
    'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE user_id = $1 AND key = $2',
    [userId, key, status, body],
  );
}

/** Records a shipment event once; false when it was applied before. */
export async function markShipmentEvent(db: Queryable, eventId: string, orderId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'INSERT INTO processed_shipment_events (event_id, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [eventId, orderId],
  );
  return rowCount === 1;
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
