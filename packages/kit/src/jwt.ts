// Compact JWTs signed with Ed25519 (alg EdDSA): signing for Auth, and a synchronous verifier
// with a JWKS cache and a cache of already-verified tokens for every other service.
import { createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export type Role = 'customer' | 'admin' | 'service';

export interface AccessClaims {
  sub: string;
  role: Role;
  username?: string;
  email?: string;
  scope?: string;
  client_id?: string;
  token_use: 'access';
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti?: string;
}

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export class TokenRejected extends Error {}

const ALG = 'EdDSA';
const SEGMENT = /^[A-Za-z0-9_-]+$/;

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeSegment(segment: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejected('malformed token');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new TokenRejected('malformed token');
  return parsed as Record<string, unknown>;
}

export function signJwt(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const signingInput = `${encodeSegment({ alg: ALG, typ: 'JWT', kid })}.${encodeSegment(claims)}`;
  const signature = sign(null, Buffer.from(signingInput), privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export function publicJwk(publicKey: KeyObject, kid: string): PublicJwk {
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: ALG, use: 'sig' };
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** Fetches the current key set; called at first use and when a token names an unknown key. */
  loadKeys: () => Promise<PublicJwk[]>;
  clockSkewSeconds?: number;
  cacheSize?: number;
  /** Minimum time between two key-set refreshes caused by unknown key ids. */
  refreshIntervalMs?: number;
  /** The key set is fetched again in the background once it is this old, so retired keys stop working. */
  maxKeyAgeMs?: number;
  now?: () => number;
}

export interface TokenVerifier {
  verify(token: string): Promise<AccessClaims>;
  /** Loads the key set now. */
  refresh(): Promise<void>;
}

const ROLES: ReadonlySet<string> = new Set(['customer', 'admin', 'service']);

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const skew = options.clockSkewSeconds ?? 30;
  const cacheSize = options.cacheSize ?? 10_000;
  const refreshIntervalMs = options.refreshIntervalMs ?? 10_000;
  const maxKeyAgeMs = options.maxKeyAgeMs ?? 300_000;
  const now = options.now ?? (() => Date.now() / 1000);
  let keys = new Map<string, KeyObject>();
  let lastRefresh = 0;
  let pending: Promise<void> | null = null;
  // Tokens already verified, in insertion order so the oldest is evicted first.
  const verified = new Map<string, AccessClaims>();

  async function refresh(): Promise<void> {
    pending ??= (async () => {
      try {
        const jwks = await options.loadKeys();
        const next = new Map<string, KeyObject>();
        for (const jwk of jwks) {
          if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.kid === 'string') {
            next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
          }
        }
        // Tokens verified with a key that is gone must be checked again (and fail).
        if ([...keys.keys()].some((kid) => !next.has(kid))) verified.clear();
        keys = next;
        lastRefresh = Date.now();
      } finally {
        pending = null;
      }
    })();
    return pending;
  }

  function checkClaims(payload: Record<string, unknown>): AccessClaims {
    const t = now();
    if (payload.iss !== options.issuer) throw new TokenRejected('wrong issuer');
    const aud = payload.aud;
    if (!(aud === options.audience || (Array.isArray(aud) && aud.includes(options.audience)))) {
      throw new TokenRejected('wrong audience');
    }
    if (typeof payload.exp !== 'number' || payload.exp + skew <= t) throw new TokenRejected('token expired');
    if (typeof payload.nbf === 'number' && payload.nbf - skew > t)
      throw new TokenRejected('token not yet valid');
    if (payload.token_use !== 'access') throw new TokenRejected('not an access token');
    if (typeof payload.sub !== 'string' || typeof payload.role !== 'string' || !ROLES.has(payload.role)) {
      throw new TokenRejected('malformed claims');
    }
    return payload as unknown as AccessClaims;
  }

  async function verifyToken(token: string): Promise<AccessClaims> {
    if (keys.size > 0 && !pending && Date.now() - lastRefresh > maxKeyAgeMs) {
      lastRefresh = Date.now(); // one background refresh at a time; a failure keeps the current keys
      refresh().catch(() => {});
    }
    const cached = verified.get(token);
    if (cached) {
      if (cached.exp + skew <= now()) {
        verified.delete(token);
        throw new TokenRejected('token expired');
      }
      return cached;
    }
    if (token.length > 8192) throw new TokenRejected('malformed token');
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p)))
      throw new TokenRejected('malformed token');
    const [h, p, s] = parts as [string, string, string];
    const header = decodeSegment(h);
    if (header.alg !== ALG) throw new TokenRejected('unexpected algorithm');
    if (typeof header.kid !== 'string') throw new TokenRejected('missing key id');
    let key = keys.get(header.kid);
    if (!key && (keys.size === 0 || Date.now() - lastRefresh >= refreshIntervalMs)) {
      await refresh();
      key = keys.get(header.kid);
    }
    if (!key) throw new TokenRejected('unknown signing key');
    if (!verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
      throw new TokenRejected('bad signature');
    }
    const claims = checkClaims(decodeSegment(p));
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(token, claims);
    return claims;
  }

  return { verify: verifyToken, refresh };
}

/** Loads a JWKS document over HTTP with a timeout. */
export function jwksFromUrl(url: string, timeoutMs = 3000): () => Promise<PublicJwk[]> {
  return async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) throw new Error(`JWKS request to ${url} failed with ${res.status}`);
    const body = (await res.json()) as { keys?: PublicJwk[] };
    return Array.isArray(body.keys) ? body.keys : [];
  };
}

/** The verifier of a service whose config has AUTH_URL, JWT_ISSUER and JWT_AUDIENCE. */
export function verifierFromConfig(config: {
  AUTH_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}): TokenVerifier {
  return createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    loadKeys: jwksFromUrl(new URL('/auth/.well-known/jwks.json', config.AUTH_URL).toString()),
  });
}
