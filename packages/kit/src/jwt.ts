// Compact JWTs signed with Ed25519 (alg EdDSA) through fast-jwt: signing for Auth, and for every
// service a synchronous verifier per signing key (fetched from Auth's JWKS) behind the kit's
// expiring cache of tokens already verified, so that a repeated token costs one map lookup.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TokenError, createDecoder, createSigner, createVerifier } from 'fast-jwt';
import { createExpiringCache } from './expiring-cache.ts';
import { exchange, keepAliveAgent } from './http-exchange.ts';

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
const ROLES: ReadonlySet<string> = new Set(['customer', 'admin', 'service']);
const MAX_TOKEN_LENGTH = 8192;

type Signer = (claims: Record<string, unknown>) => string;
/** One signer per key and key id: fast-jwt prepares the key once, when the signer is made. */
const signers = new WeakMap<KeyObject, Map<string, Signer>>();

/** Signs claims as they are (fast-jwt adds `iat` only when they have none) with the Ed25519 key, naming it in `kid`. */
export function signJwt(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  let byKid = signers.get(privateKey);
  if (!byKid) signers.set(privateKey, (byKid = new Map()));
  let signer = byKid.get(kid);
  if (!signer) {
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    signer = createSigner({ key: pem, algorithm: ALG, kid });
    byKid.set(kid, signer);
  }
  return signer(claims);
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
}

export interface TokenVerifier {
  verify(token: string): Promise<AccessClaims>;
  /** Loads the key set now. */
  refresh(): Promise<void>;
}

/** What fast-jwt found wrong, in the words our 401 problems use. */
function rejection(err: unknown): TokenRejected {
  if (!(err instanceof TokenError)) return new TokenRejected('malformed token');
  switch (err.code) {
    case TokenError.codes.expired:
      return new TokenRejected('token expired');
    case TokenError.codes.inactive:
      return new TokenRejected('token not yet valid');
    case TokenError.codes.invalidSignature:
      return new TokenRejected('bad signature');
    case TokenError.codes.invalidAlgorithm:
      return new TokenRejected('unexpected algorithm');
    case TokenError.codes.invalidClaimValue:
    case TokenError.codes.missingRequiredClaim:
      return new TokenRejected(
        /\biss\b/.test(err.message)
          ? 'wrong issuer'
          : /\baud\b/.test(err.message)
            ? 'wrong audience'
            : 'malformed claims',
      );
    default:
      return new TokenRejected('malformed token');
  }
}

/** Claims fast-jwt does not know about: what kind of token it is and who holds it. */
function accessClaims(payload: Record<string, unknown>): AccessClaims {
  if (payload.token_use !== 'access') throw new TokenRejected('not an access token');
  if (typeof payload.sub !== 'string' || typeof payload.role !== 'string' || !ROLES.has(payload.role)) {
    throw new TokenRejected('malformed claims');
  }
  if (typeof payload.exp !== 'number') throw new TokenRejected('malformed claims');
  return payload as unknown as AccessClaims;
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const skewSeconds = options.clockSkewSeconds ?? 30;
  const refreshIntervalMs = options.refreshIntervalMs ?? 10_000;
  const maxKeyAgeMs = options.maxKeyAgeMs ?? 300_000;
  const verified = createExpiringCache<AccessClaims>({ maxEntries: options.cacheSize ?? 10_000 });
  const decodeHeader = createDecoder({ complete: true });
  let verifiers = new Map<string, (token: string) => Record<string, unknown>>();
  let lastRefresh = 0;
  let pending: Promise<void> | null = null;

  function verifierFor(jwk: PublicJwk) {
    return createVerifier({
      key: createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' }) as string,
      algorithms: [ALG],
      allowedIss: options.issuer,
      allowedAud: options.audience,
      clockTolerance: skewSeconds * 1000,
      requiredClaims: ['exp', 'iss', 'aud'],
      cache: false,
    });
  }

  async function refresh(): Promise<void> {
    pending ??= (async () => {
      try {
        const jwks = await options.loadKeys();
        const next = new Map<string, (token: string) => Record<string, unknown>>();
        for (const jwk of jwks) {
          if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.kid === 'string') {
            next.set(jwk.kid, verifiers.get(jwk.kid) ?? verifierFor(jwk));
          }
        }
        // Tokens verified with a key that is gone must be checked again (and fail).
        if ([...verifiers.keys()].some((kid) => !next.has(kid))) verified.clear();
        verifiers = next;
        lastRefresh = Date.now();
      } finally {
        pending = null;
      }
    })();
    return pending;
  }

  async function verify(token: string): Promise<AccessClaims> {
    if (verifiers.size > 0 && !pending && Date.now() - lastRefresh > maxKeyAgeMs) {
      lastRefresh = Date.now(); // one background refresh at a time; a failure keeps the current keys
      refresh().catch(() => {});
    }
    const cached = verified.get(token);
    if (cached) return cached;
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejected('malformed token');
    let header: Record<string, unknown>;
    try {
      header = (decodeHeader(token) as { header: Record<string, unknown> }).header;
    } catch (err) {
      throw rejection(err);
    }
    if (header.alg !== ALG) throw new TokenRejected('unexpected algorithm');
    if (typeof header.kid !== 'string') throw new TokenRejected('missing key id');
    let check = verifiers.get(header.kid);
    if (!check && (verifiers.size === 0 || Date.now() - lastRefresh >= refreshIntervalMs)) {
      await refresh();
      check = verifiers.get(header.kid);
    }
    if (!check) throw new TokenRejected('unknown signing key');
    let payload: Record<string, unknown>;
    try {
      payload = check(token);
    } catch (err) {
      throw rejection(err);
    }
    const claims = accessClaims(payload);
    // Kept until it expires (with the clock skew the check allows), never longer.
    verified.set(token, claims, claims.exp * 1000 + skewSeconds * 1000 - Date.now());
    return claims;
  }

  return { verify, refresh };
}

/** Loads a JWKS document over HTTP with a timeout. */
export function jwksFromUrl(url: string, timeoutMs = 3000): () => Promise<PublicJwk[]> {
  const agent = keepAliveAgent();
  return async () => {
    const res = await exchange(agent, url, { method: 'GET', timeoutMs });
    if (res.status < 200 || res.status > 299)
      throw new Error(`JWKS request to ${url} failed with ${res.status}`);
    const body = JSON.parse(res.text) as { keys?: PublicJwk[] };
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
