import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hash } from '@node-rs/argon2';
import { bearer, loginAs, registerUser, startAuth, uniqueIp, uniqueName, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startAuth();
});
afterAll(async () => {
  await h?.close();
});

function login(payload: object, remoteAddress = uniqueIp()) {
  return h.app.inject({ method: 'POST', url: '/auth/login', payload, remoteAddress });
}

function loginForm(fields: Record<string, string>, remoteAddress = uniqueIp()) {
  return h.app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
    remoteAddress,
  });
}

function credentialsOf(user: { username: string; password: string }) {
  return { username: user.username, password: user.password };
}

function logout(accessToken: string, payload?: { refresh_token: string }) {
  return h.app.inject({ method: 'POST', url: '/auth/logout', headers: bearer(accessToken), payload });
}

function refresh(refreshToken: string) {
  return h.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: refreshToken } });
}

async function me(accessToken: string) {
  return h.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(accessToken) });
}

describe('login', () => {
  it('issues a bearer access token and a refresh token for username and password', async () => {
    const user = await registerUser(h.app);
    const res = await login({ username: user.username, password: user.password });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    });
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({
      sub: user.id,
      role: 'customer',
      username: user.username,
      email: user.email,
      token_use: 'access',
      iss: 'minishop-auth',
      aud: 'minishop',
    });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toEqual(expect.any(String));
    expect((await me(body.access_token)).json().id).toBe(user.id);
  });

  it('accepts the email instead of the username, in any case', async () => {
    const user = await registerUser(h.app);
    const res = await login({ username: user.email.toUpperCase(), password: user.password });
    expect(res.statusCode).toBe(200);
    expect((await me(res.json().access_token)).json().id).toBe(user.id);
  });

  it('accepts the OAuth2 password form, by username and by email', async () => {
    const user = await registerUser(h.app);
    const byName = await loginForm({ grant_type: 'password', ...credentialsOf(user) });
    expect(byName.statusCode).toBe(200);
    expect(byName.json().token_type).toBe('bearer');
    const byEmail = await loginForm({ username: user.email, password: user.password });
    expect(byEmail.statusCode).toBe(200);
  });

  it('rejects a form with an unknown grant type or unknown fields', async () => {
    const user = await registerUser(h.app);
    const grant = await loginForm({ grant_type: 'client_credentials', ...credentialsOf(user) });
    expect(grant.statusCode).toBe(422);
    const extra = await login({ username: user.username, password: user.password, role: 'admin' });
    expect(extra.statusCode).toBe(422);
  });

  it('answers an unknown account exactly like a wrong password', async () => {
    const user = await registerUser(h.app);
    const wrong = await login({ username: user.username, password: 'not the password' });
    const unknown = await login({ username: uniqueName('ghost'), password: 'not the password' });
    const unknownEmail = await login({
      username: `${uniqueName('ghost')}@example.test`,
      password: 'whatever pw',
    });
    expect(wrong.statusCode).toBe(401);
    for (const res of [unknown, unknownEmail]) {
      expect(res.statusCode).toBe(wrong.statusCode);
      expect(res.headers['content-type']).toBe(wrong.headers['content-type']);
      const { request_id: _a, ...body } = res.json();
      const { request_id: _b, ...expected } = wrong.json();
      expect(body).toEqual(expected);
    }
    expect(wrong.json().detail).toBe('incorrect username or password');
  });

  it('upgrades a hash made at an older cost on the next successful login, and only then', async () => {
    const user = await registerUser(h.app);
    const older = await hash(user.password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    await h.pool.query('UPDATE users SET password_hash = $2 WHERE id = $1', [user.id, older]);
    const stored = async () =>
      (await h.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id])).rows[0].password_hash;

    expect((await login({ username: user.username, password: 'not the password' })).statusCode).toBe(401);
    expect(await stored()).toBe(older);

    expect((await login({ username: user.username, password: user.password })).statusCode).toBe(200);
    expect(await stored()).toMatch(/^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
    expect((await login({ username: user.username, password: user.password })).statusCode).toBe(200);
  });
});

describe('refresh', () => {
  it('rotates the refresh token: the new one works, the old one does not', async () => {
    const user = await registerUser(h.app);
    const first = await loginAs(h.app, user);
    const rotated = await refresh(first.refresh_token);
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.token_type).toBe('bearer');
    expect((await me(second.access_token)).json().id).toBe(user.id);
    const third = await refresh(second.refresh_token);
    expect(third.statusCode).toBe(200);
  });

  it('revokes the whole family when a rotated token is used again', async () => {
    const user = await registerUser(h.app);
    const first = await loginAs(h.app, user);
    const second = (await refresh(first.refresh_token)).json();
    const reuse = await refresh(first.refresh_token);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.headers['content-type']).toMatch(/^application\/problem\+json/);
    // The legitimate holder's newer token died with the family.
    expect((await refresh(second.refresh_token)).statusCode).toBe(401);
    // Another session of the same user is untouched.
    const other = await loginAs(h.app, user);
    expect((await refresh(other.refresh_token)).statusCode).toBe(200);
  });

  it('lets only one of two simultaneous uses of a token succeed', async () => {
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    const results = await Promise.all([refresh(tokens.refresh_token), refresh(tokens.refresh_token)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('rejects unknown and expired refresh tokens', async () => {
    expect((await refresh('definitely-not-issued')).statusCode).toBe(401);
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    await h.pool.query(
      "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
      [user.id],
    );
    expect((await refresh(tokens.refresh_token)).statusCode).toBe(401);
  });

  it('stores refresh tokens only as hashes', async () => {
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    const { rows } = await h.pool.query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [
      user.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).not.toContain(tokens.refresh_token);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('logout', () => {
  it('ends the session of the given refresh token', async () => {
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    const res = await logout(tokens.access_token, { refresh_token: tokens.refresh_token });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await refresh(tokens.refresh_token)).statusCode).toBe(401);
  });

  it('answers 204 without a body', async () => {
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    const res = await logout(tokens.access_token);
    expect(res.statusCode).toBe(204);
  });

  it("cannot end another user's session", async () => {
    const alice = await registerUser(h.app);
    const mallory = await registerUser(h.app);
    const aliceTokens = await loginAs(h.app, alice);
    const malloryTokens = await loginAs(h.app, mallory);
    const res = await logout(malloryTokens.access_token, { refresh_token: aliceTokens.refresh_token });
    expect(res.statusCode).toBe(204);
    expect((await refresh(aliceTokens.refresh_token)).statusCode).toBe(200);
  });

  it('requires a signed-in user', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/auth/logout', payload: {} });
    expect(res.statusCode).toBe(401);
    const junk = await h.app.inject({ method: 'POST', url: '/auth/logout', payload: { role: 'admin' } });
    expect(junk.statusCode).toBe(401);
  });
});

describe('login rate limits', () => {
  it('blocks an account after 5 failed attempts with 429 and Retry-After, even with the right password', async () => {
    const user = await registerUser(h.app);
    for (let i = 0; i < 5; i += 1) {
      expect((await login({ username: user.username, password: 'wrong password' })).statusCode).toBe(401);
    }
    const blocked = await login({ username: user.email.toUpperCase(), password: user.password });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(blocked.json().request_id).toBeTruthy();
  });

  it('clears the account count after a successful login', async () => {
    const user = await registerUser(h.app);
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 4; i += 1) {
        expect((await login({ username: user.username, password: 'wrong password' })).statusCode).toBe(401);
      }
      expect((await login({ username: user.username, password: user.password })).statusCode).toBe(200);
    }
  });

  it('limits unknown accounts the same way as known ones', async () => {
    const ghost = uniqueName('ghost');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await login({ username: ghost, password: 'whatever pw' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('blocks an address after 20 attempts across accounts', async () => {
    const ip = uniqueIp();
    const user = await registerUser(h.app);
    for (let i = 0; i < 20; i += 1) {
      const res = await login({ username: uniqueName('spray'), password: 'guess password' }, ip);
      expect(res.statusCode).toBe(401);
    }
    const blocked = await login({ username: user.username, password: user.password }, ip);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // The same account from another address is fine.
    expect((await login({ username: user.username, password: user.password })).statusCode).toBe(200);
  });

  it('counts the client address forwarded by a trusted proxy, not the proxy itself', async () => {
    const client = uniqueIp();
    for (let i = 0; i < 20; i += 1) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: uniqueName('spray'), password: 'guess password' },
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': `203.0.113.9, ${client}` },
      });
      expect(res.statusCode).toBe(401);
    }
    const fromClient = await login({ username: uniqueName('spray'), password: 'guess password' }, client);
    expect(fromClient.statusCode).toBe(429);
    // An untrusted peer cannot pick its address through the header.
    const untrusted = uniqueIp();
    const spoofed = await h.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: uniqueName('spray'), password: 'guess password' },
      remoteAddress: untrusted,
      headers: { 'x-forwarded-for': client },
    });
    expect(spoofed.statusCode).toBe(401);
  });
});
