// SQL for email verification tokens, stored as SHA-256 hashes with an expiry.
import type { Queryable } from '@minishop/kit/db';

export interface EmailVerificationRow {
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
}

export async function insertEmailVerification(
  db: Queryable,
  row: { tokenHash: string; userId: string; ttlSeconds: number },
): Promise<void> {
  await db.query(
    `INSERT INTO email_verifications (token_hash, user_id, expires_at)
     VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [row.tokenHash, row.userId, row.ttlSeconds],
  );
}

export async function findEmailVerificationForUpdate(
  db: Queryable,
  tokenHash: string,
): Promise<EmailVerificationRow | null> {
  const { rows } = await db.query<EmailVerificationRow>(
    'SELECT user_id, expires_at, used_at FROM email_verifications WHERE token_hash = $1 FOR UPDATE',
    [tokenHash],
  );
  return rows[0] ?? null;
}

export async function markEmailVerificationUsed(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('UPDATE email_verifications SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL', [
    tokenHash,
  ]);
}
