import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenRejected, createTokenVerifier, publicJwk, signJwt } from '../src/jwt.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const kid = 'k1';
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'u1',
  role: 'customer',
  token_use: 'access',
  iss: 'minishop-auth',
  aud: 'minishop',
  iat: now(),
  exp: now() + 900,
  ...extra,
});
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function verifier() {
  let loads = 0;
  const v = createTokenVerifier({
    issuer: 'minishop-auth',
    audience: 'minishop',
    loadKeys: async () => {
      loads += 1;
      return [publicJwk(publicKey, kid)];
    },
  });
  return { v, loads: () => loads };
}

describe('token verifier', () => {
  it('accepts a well-signed token and answers repeats from its cache', async () => {
    const { v, loads } = verifier();
    const token = signJwt(claims(), privateKey, kid);
    expect((await v.verify(token)).sub).toBe('u1');
    expect((await v.verify(token)).sub).toBe('u1');
    expect(loads()).toBe(1);
  });

  it('signs the claims as given, iat and exp included', async () => {
    const token = signJwt(claims({ iat: 1_000, exp: 1_900 }), privateKey, kid);
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid });
    expect(payload).toMatchObject({ iat: 1_000, exp: 1_900 });
  });

  const forged: Array<[string, () => string]> = [
    ['alg none', () => `${b64({ alg: 'none', kid })}.${b64(claims())}.`],
    [
      'HS256 signed with the public key',
      () => {
        const input = `${b64({ alg: 'HS256', kid })}.${b64(claims({ role: 'admin' }))}`;
        const secret = publicKey.export({ format: 'pem', type: 'spki' });
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
    ],
    [
      'tampered payload',
      () => {
        const [h, , s] = signJwt(claims(), privateKey, kid).split('.');
        return `${h}.${b64(claims({ role: 'admin' }))}.${s}`;
      },
    ],
    ['expired', () => signJwt(claims({ exp: now() - 120 }), privateKey, kid)],
    ['wrong issuer', () => signJwt(claims({ iss: 'someone-else' }), privateKey, kid)],
    ['wrong audience', () => signJwt(claims({ aud: 'other' }), privateKey, kid)],
    ['no issuer', () => signJwt(claims({ iss: undefined }), privateKey, kid)],
    ['no audience', () => signJwt(claims({ aud: undefined }), privateKey, kid)],
    ['no expiry', () => signJwt(claims({ exp: undefined }), privateKey, kid)],
    ['not an access token', () => signJwt(claims({ token_use: 'refresh' }), privateKey, kid)],
    ['unknown role', () => signJwt(claims({ role: 'root' }), privateKey, kid)],
    ['opaque string', () => 'b3BhcXVlLXJlZnJlc2gtdG9rZW4'],
    ['unknown key id', () => signJwt(claims(), privateKey, 'other-kid')],
    ['signed by another key', () => signJwt(claims(), generateKeyPairSync('ed25519').privateKey, kid)],
  ];

  it.each(forged)('rejects %s', async (_name, make) => {
    const { v } = verifier();
    await expect(v.verify(make())).rejects.toBeInstanceOf(TokenRejected);
  });

  it('does not refetch the key set for every unknown key id', async () => {
    const { v, loads } = verifier();
    await v.verify(signJwt(claims(), privateKey, kid));
    for (let i = 0; i < 20; i++) {
      await expect(v.verify(signJwt(claims(), privateKey, `bogus-${i}`))).rejects.toThrow(TokenRejected);
    }
    expect(loads()).toBe(1);
  });

  it('stops accepting tokens of a key that was retired once the key set is fetched again', async () => {
    let published = [publicJwk(publicKey, kid)];
    const v = createTokenVerifier({
      issuer: 'minishop-auth',
      audience: 'minishop',
      loadKeys: async () => published,
      maxKeyAgeMs: 0,
    });
    const token = signJwt(claims(), privateKey, kid);
    expect((await v.verify(token)).sub).toBe('u1');
    const next = generateKeyPairSync('ed25519');
    published = [publicJwk(next.publicKey, 'k2')];
    await v.refresh();
    await expect(v.verify(token)).rejects.toThrow(TokenRejected);
    expect((await v.verify(signJwt(claims(), next.privateKey, 'k2'))).sub).toBe('u1');
  });
});
