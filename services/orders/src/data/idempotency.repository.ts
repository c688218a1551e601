// SQL for the Idempotency-Keys of POST /orders. A key is claimed in the statement that inserts
// its order (see insertOrder), or with its answer when the request ends without an order; replays
// read the key and its order together; keys are forgotten after a day.
import type { Queryable } from '@minishop/kit/db';
import { ITEMS_COLUMN, ORDER_COLUMNS, type OrderRow } from './orders.repository.ts';

export interface StoredAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Claims the key for a request that ends without an order (e.g. an empty cart), with the answer
 * its replays get; false when the key was claimed before.
 */
export async function claimWithAnswer(
  db: Queryable,
  claim: { userId: string; key: string; hash: string; orderId: string },
  answer: StoredAnswer,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO idempotency_keys (user_id, key, request_hash, order_id, locked_until, response_status, response_body)
     VALUES ($1, $2, $3, $4, now(), $5, $6) ON CONFLICT DO NOTHING`,
    [claim.userId, claim.key, claim.hash, claim.orderId, answer.status, answer.body],
  );
  return rowCount === 1;
}

export interface KeyState {
  request_hash: string;
  answer: StoredAnswer | null;
  /** The key's order, when it exists. */
  order: OrderRow | null;
  /** A worker holds the order now (its request is still running). */
  busy: boolean;
  /** The claim's lock has passed (it matters only for a claim without an order). */
  expired: boolean;
}

/** The key with its stored answer or its order, in one query; null when the key is unknown. */
export async function readKey(db: Queryable, userId: string, key: string): Promise<KeyState | null> {
  const { rows } = await db.query<{
    request_hash: string;
    response_status: number | null;
    response_body: Record<string, unknown> | null;
    expired: boolean;
    busy: boolean | null;
    order: OrderRow | null;
  }>(
    `SELECT k.request_hash, k.response_status, k.response_body, k.locked_until < now() AS expired,
       o.lease_until > now() AS busy, CASE WHEN o.id IS NULL THEN NULL ELSE to_json(o) END AS order
     FROM idempotency_keys k
     LEFT JOIN LATERAL (SELECT ${ORDER_COLUMNS}, ${ITEMS_COLUMN} FROM orders WHERE orders.id = k.order_id) o
       ON true
     WHERE k.user_id = $1 AND k.key = $2`,
    [userId, key],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    request_hash: row.request_hash,
    answer:
      row.response_status === null ? null : { status: row.response_status, body: row.response_body ?? {} },
    order: row.order && reviveDates(row.order),
    busy: row.busy === true,
    expired: row.expired,
  };
}

/** to_json gives timestamps as strings; the rest of the code holds them as Dates. */
function reviveDates(order: OrderRow): OrderRow {
  return {
    ...order,
    lease_until: order.lease_until && new Date(order.lease_until),
    created_at: new Date(order.created_at),
    updated_at: new Date(order.updated_at),
  };
}

/** Forgets Idempotency-Keys older than a day (clients retry within minutes, not days). */
export async function deleteOldKeys(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
  );
  return rowCount ?? 0;
}
