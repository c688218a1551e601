import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac, createPublicKey, generateKeyPairSync, verify, type JsonWebKey } from 'node:crypto';
import { signJwt } from '@minishop/kit/jwt';
import { bearer, loginAs, registerUser, startAuth, type Harness } from './harness.ts';
import { loadSigningKeys } from '../src/domain/signing-keys.ts';

let h: Harness;
beforeAll(async () => {
  h = await startAuth();
});
afterAll(async () => {
  await h?.close();
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
  };
}

async function jwks(): Promise<{ keys: Record<string, string>[] }> {
  const res = await h.app.inject({ method: 'GET', url: '/auth/.well-known/jwks.json' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

function token(payload: Record<string, unknown>) {
  return h.app.inject({ method: 'POST', url: '/auth/token', payload });
}

/** Orders' client-credentials request with its real secret; `fields` add to or replace its fields. */
function ordersToken(fields: Record<string, unknown> = {}) {
  return token({
    grant_type: 'client_credentials',
    client_id: 'orders',
    client_secret: 'orders-test-secret',
    ...fields,
  });
}

describe('JWKS', () => {
  it('publishes the Ed25519 key that verifies issued access tokens', async () => {
    const user = await registerUser(h.app);
    const { access_token } = await loginAs(h.app, user);
    const { keys } = await jwks();
    const { header } = decode(access_token);
    expect(header.alg).toBe('EdDSA');
    const jwk = keys.find((k) => k.kid === header.kid);
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    const [h64, p64, s64] = access_token.split('.') as [string, string, string];
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    expect(verify(null, Buffer.from(`${h64}.${p64}`), key, Buffer.from(s64, 'base64url'))).toBe(true);
  });

  it('keeps one signing key across restarts and concurrent starts', async () => {
    const before = (await jwks()).keys.map((k) => k.kid);
    const loaded = await Promise.all([1, 2, 3, 4].map(() => loadSigningKeys(h.pool)));
    expect(new Set(loaded.map((k) => k.current().kid))).toEqual(new Set(before));
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM signing_keys WHERE active');
    expect(rows[0].n).toBe(1);
  });

  it('keeps publishing an older key until it is retired', async () => {
    const { keys: before } = await jwks();
    const old = generateKeyPairSync('ed25519');
    const oldJwk = { ...old.publicKey.export({ format: 'jwk' }), kid: 'older-key', alg: 'EdDSA', use: 'sig' };
    await h.pool.query(
      "INSERT INTO signing_keys (kid, private_key_pem, public_jwk, active) VALUES ('older-key', 'unused', $1, false)",
      [JSON.stringify(oldJwk)],
    );
    expect((await jwks()).keys.map((k) => k.kid)).toEqual(
      expect.arrayContaining(['older-key', before[0]?.kid]),
    );
    await h.pool.query("UPDATE signing_keys SET retired_at = now() WHERE kid = 'older-key'");
    expect((await jwks()).keys.map((k) => k.kid)).not.toContain('older-key');
  });
});

describe('client credentials', () => {
  it('issues a service token with all of the client scopes', async () => {
    const res = await ordersToken();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      scope: 'catalog:reserve payments:charge',
    });
    expect(decode(body.access_token).claims).toMatchObject({
      sub: 'client:orders',
      role: 'service',
      client_id: 'orders',
      scope: 'catalog:reserve payments:charge',
      token_use: 'access',
      iss: 'minishop-auth',
      aud: 'minishop',
    });
  });

  it('narrows the token to a requested subset of scopes, also from a form', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload:
        'grant_type=client_credentials&client_id=orders&client_secret=orders-test-secret&scope=catalog%3Areserve',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().scope).toBe('catalog:reserve');
    expect(decode(res.json().access_token).claims.scope).toBe('catalog:reserve');
  });

  it('refuses a scope the client was not given', async () => {
    const res = await token({
      grant_type: 'client_credentials',
      client_id: 'shipping',
      client_secret: 'shipping-test-secret',
      scope: 'notify:send payments:charge',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers a wrong secret and an unknown client with the same 401 problem', async () => {
    const wrong = await token({
      grant_type: 'client_credentials',
      client_id: 'orders',
      client_secret: 'shipping-test-secret',
    });
    const unknown = await token({
      grant_type: 'client_credentials',
      client_id: 'nobody',
      client_secret: 'whatever-secret',
    });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail).toBe('invalid client credentials');
      expect(res.json().request_id).toBeTruthy();
    }
  });

  it('rejects other grant types and unknown fields with 422', async () => {
    const grant = await ordersToken({ grant_type: 'password' });
    expect(grant.statusCode).toBe(422);
    const extra = await ordersToken({ role: 'admin' });
    expect(extra.statusCode).toBe(422);
  });

  it('does not let a service token act as a user on /auth/me', async () => {
    const res = await ordersToken();
    const me = await h.app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: bearer(res.json().access_token),
    });
    expect(me.statusCode).toBe(403);
  });
});

describe('GET /auth/me rejects forged and misused tokens', () => {
  let valid: string;
  let claims: Record<string, unknown>;
  let header: Record<string, unknown>;
  beforeAll(async () => {
    const user = await registerUser(h.app);
    valid = (await loginAs(h.app, user)).access_token;
    ({ claims, header } = decode(valid));
  });

  async function expect401(forged: string) {
    const res = await h.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(forged) });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().request_id).toBeTruthy();
  }

  it('accepts the genuine token (control)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(valid) });
    expect(res.statusCode).toBe(200);
  });

  it('rejects alg none', async () => {
    await expect401(`${b64({ alg: 'none', typ: 'JWT', kid: header.kid })}.${b64(claims)}.`);
    await expect401(`${b64({ alg: 'none', typ: 'JWT', kid: header.kid })}.${b64(claims)}.c2ln`);
  });

  it('rejects HS256 signed with the public key bytes', async () => {
    const { keys } = await jwks();
    const jwk = keys.find((k) => k.kid === header.kid) as Record<string, string>;
    const pem = createPublicKey({ key: jwk, format: 'jwk' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
    for (const secret of [pem, Buffer.from(jwk.x as string, 'base64url'), JSON.stringify(jwk)]) {
      const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${b64(claims)}`;
      const sig = createHmac('sha256', secret).update(input).digest('base64url');
      await expect401(`${input}.${sig}`);
    }
  });

  it('rejects a tampered payload', async () => {
    const [h64, , s64] = valid.split('.');
    await expect401(`${h64}.${b64({ ...claims, role: 'admin' })}.${s64}`);
  });

  it('rejects tokens signed by a key Auth does not publish', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    await expect401(signJwt(claims, privateKey, String(header.kid)));
    await expect401(signJwt(claims, privateKey, 'someone-elses-key'));
  });

  it('rejects expired, wrong-issuer and wrong-audience tokens signed with the real key', async () => {
    const key = (await loadSigningKeys(h.pool)).current();
    const now = Math.floor(Date.now() / 1000);
    await expect401(signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, key.privateKey, key.kid));
    await expect401(signJwt({ ...claims, iss: 'evil-issuer' }, key.privateKey, key.kid));
    await expect401(signJwt({ ...claims, aud: 'another-audience' }, key.privateKey, key.kid));
    await expect401(signJwt({ ...claims, token_use: 'refresh' }, key.privateKey, key.kid));
  });

  it('rejects a refresh token used as an access token', async () => {
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    await expect401(tokens.refresh_token);
  });

  it('rejects garbage and a wrong scheme', async () => {
    await expect401('not.a.jwt');
    await expect401('x'.repeat(9000));
    const res = await h.app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Basic ${valid}` },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('service documents', () => {
  it('serves health, readiness and an OpenAPI document listing the auth routes', async () => {
    expect((await h.app.management.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await h.app.management.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ status: 'ready', checks: { db: 'ok', redis: 'ok' } });
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/auth/register',
        '/auth/login',
        '/auth/refresh',
        '/auth/logout',
        '/auth/me',
        '/auth/verify-email',
        '/auth/.well-known/jwks.json',
        '/auth/token',
      ]),
    );
  });
});
