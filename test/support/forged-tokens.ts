// Hostile access tokens for the JWT negative suite: unsigned, HMAC-signed with the public key,
// tampered, signed by a stranger's key, and — with the stack's own signing key read from the
// auth database — correctly signed tokens whose claims are wrong (expired, other issuer, ...).
import { createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createPool } from '@minishop/kit/db';
import { signJwt } from '@minishop/kit/jwt';

type Json = Record<string, unknown>;

const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeJwt(token: string): { header: Json; payload: Json; signature: string } {
  const [h = '', p = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Json,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Json,
    signature,
  };
}

/** The same header and signature over a payload with some claims changed. */
export function tamper(token: string, changes: Json): string {
  const [h, , s] = token.split('.');
  const payload = { ...decodeJwt(token).payload, ...changes };
  return `${h}.${segment(payload)}.${s}`;
}

/** The same payload and signature under another header (e.g. `alg: none`). */
export function reheader(token: string, header: Json): string {
  const [, p, s] = token.split('.');
  return `${segment(header)}.${p}.${s}`;
}

/** `alg: none` with an empty signature, as the classic attack sends it. */
export function unsigned(claims: Json, alg = 'none'): string {
  return `${segment({ alg, typ: 'JWT' })}.${segment(claims)}.`;
}

/** HS256 over the claims with a public value as the HMAC secret (the key-confusion attack). */
export function hmacSigned(claims: Json, secret: string | Buffer, kid?: string): string {
  const input = `${segment({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) })}.${segment(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Signed with a freshly made Ed25519 key the shop has never seen. */
export function strangerSigned(claims: Json, kid: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signJwt(claims, privateKey, kid);
}

/** Ed25519-signed under any header, e.g. one that carries its own `jwk` (header injection). */
export function ed25519Signed(header: Json, claims: Json, privateKey: KeyObject): string {
  const input = `${segment(header)}.${segment(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  sign(claims: Json): string;
}

/** The active signing key of the stack's Auth, read from its own database. */
export async function stackSigningKey(authDatabaseUrl: string): Promise<SigningKey> {
  const pool = createPool(authDatabaseUrl, { max: 1 });
  try {
    const { rows } = await pool.query<{ kid: string; private_key_pem: string }>(
      'SELECT kid, private_key_pem FROM signing_keys WHERE active AND retired_at IS NULL',
    );
    const row = rows[0];
    if (!row) throw new Error('auth has no active signing key');
    const privateKey = createPrivateKey(row.private_key_pem);
    return { kid: row.kid, privateKey, sign: (claims) => signJwt(claims, privateKey, row.kid) };
  } finally {
    await pool.end();
  }
}
