// Test support shared by service test suites: an in-process token issuer with a real Ed25519
// key, so services can be tested through HTTP with genuine signed tokens of every role.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createTokenVerifier, publicJwk, signJwt, type Role, type TokenVerifier } from './jwt.ts';

export interface TestIssuer {
  verifier: TokenVerifier;
  /** A signed access token; claims override the defaults. */
  token(role: Role, claims?: Record<string, unknown>): string;
  customer(claims?: Record<string, unknown>): { id: string; token: string };
  admin(): { id: string; token: string };
  service(scopes: string[], clientId?: string): string;
  issuer: string;
  audience: string;
}

export function createTestIssuer(issuer = 'minishop-auth', audience = 'minishop'): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = `test-${randomUUID()}`;
  const verifier = createTokenVerifier({
    issuer,
    audience,
    loadKeys: async () => [publicJwk(publicKey, kid)],
  });
  function token(role: Role, claims: Record<string, unknown> = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const sub = randomUUID();
    return signJwt(
      {
        sub,
        role,
        username: `user-${sub.slice(0, 8)}`,
        email: `user-${sub.slice(0, 8)}@example.test`,
        token_use: 'access',
        iss: issuer,
        aud: audience,
        iat: now,
        exp: now + 900,
        ...claims,
      },
      privateKey,
      kid,
    );
  }
  function user(role: Role, claims: Record<string, unknown> = {}) {
    const id = randomUUID();
    return { id, token: token(role, { sub: id, ...claims }) };
  }
  return {
    verifier,
    token,
    customer: (claims) => user('customer', claims),
    admin: () => user('admin'),
    service: (scopes, clientId = 'test-client') =>
      token('service', {
        sub: `client:${clientId}`,
        client_id: clientId,
        scope: scopes.join(' '),
        username: undefined,
        email: undefined,
      }),
    issuer,
    audience,
  };
}
