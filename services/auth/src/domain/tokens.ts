// Token material: signed access tokens for users and service clients, and opaque random
// tokens (refresh, email verification) that are stored only as SHA-256 hashes.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { signJwt } from '@minishop/kit/jwt';
import type { SigningKeys } from './signing-keys.ts';
import type { User } from '../data/users.repository.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function baseClaims(settings: TokenSettings) {
  const iat = Math.floor(Date.now() / 1000);
  return {
    token_use: 'access',
    iss: settings.issuer,
    aud: settings.audience,
    iat,
    exp: iat + settings.accessTtlSeconds,
    jti: randomUUID(),
  };
}

export function userAccessToken(keys: SigningKeys, settings: TokenSettings, user: User): string {
  const claims = {
    sub: user.id,
    role: user.role,
    username: user.username,
    email: user.email,
    ...baseClaims(settings),
  };
  const key = keys.current();
  return signJwt(claims, key.privateKey, key.kid);
}

export function serviceAccessToken(
  keys: SigningKeys,
  settings: TokenSettings,
  clientId: string,
  scopes: readonly string[],
): string {
  const claims = {
    sub: `client:${clientId}`,
    role: 'service',
    client_id: clientId,
    scope: scopes.join(' '),
    ...baseClaims(settings),
  };
  const key = keys.current();
  return signJwt(claims, key.privateKey, key.kid);
}
