// SQL for the Idempotency-Keys of POST /orders: claimed per user with the order id chosen at
// once, taken over after a dead request, answered again on replays, forgotten after a day.
import type { Queryable } from '@minishop/kit/db';

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

/** Forgets Idempotency-Keys older than a day (clients retry within minutes, not days). */
export async function deleteOldKeys(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
  );
  return rowCount ?? 0;
}
