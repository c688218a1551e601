// Auth's signing keys live in its own database: the first replica to start creates an
// Ed25519 key under an advisory lock, every replica signs with the active key, and the JWKS
// publishes every key that is not retired so tokens signed before a rotation stay valid.
import { createPrivateKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { withTransaction, type Pool } from '@minishop/kit/db';
import { publicJwk, type PublicJwk } from '@minishop/kit/jwt';
import { findActiveKey, insertActiveKey, publishedKeys } from '../data/signing-keys.repository.ts';

export interface SigningKeys {
  current(): { kid: string; privateKey: KeyObject };
  published(): Promise<PublicJwk[]>;
}

const KEY_CREATION_LOCK = 727_431_081;

export async function loadSigningKeys(pool: Pool): Promise<SigningKeys> {
  const row = await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [KEY_CREATION_LOCK]);
    const existing = await findActiveKey(client);
    if (existing) return existing;
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = randomUUID();
    const created = {
      kid,
      private_key_pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      public_jwk: publicJwk(publicKey, kid),
    };
    await insertActiveKey(client, created);
    return created;
  });
  const active = { kid: row.kid, privateKey: createPrivateKey(row.private_key_pem) };
  return {
    current: () => active,
    published: () => publishedKeys(pool),
  };
}
