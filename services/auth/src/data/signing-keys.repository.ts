// SQL for the Ed25519 keys that sign access tokens: one active key, older ones published until retired.
import type { Queryable } from '@minishop/kit/db';
import type { PublicJwk } from '@minishop/kit/jwt';

export interface SigningKeyRow {
  kid: string;
  private_key_pem: string;
  public_jwk: PublicJwk;
}

export async function findActiveKey(db: Queryable): Promise<SigningKeyRow | null> {
  const { rows } = await db.query<SigningKeyRow>(
    'SELECT kid, private_key_pem, public_jwk FROM signing_keys WHERE active AND retired_at IS NULL',
  );
  return rows[0] ?? null;
}

export async function insertActiveKey(db: Queryable, key: SigningKeyRow): Promise<void> {
  await db.query(
    'INSERT INTO signing_keys (kid, private_key_pem, public_jwk, active) VALUES ($1, $2, $3, true)',
    [key.kid, key.private_key_pem, JSON.stringify(key.public_jwk)],
  );
}

export async function publishedKeys(db: Queryable): Promise<PublicJwk[]> {
  const { rows } = await db.query<{ public_jwk: PublicJwk }>(
    'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC',
  );
  return rows.map((r) => r.public_jwk);
}
