import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { bearer, loginAs, registerUser, startAuth, uniqueIp, uniqueName, type Harness } from './harness.ts';
import { ensureFirstAdmin } from '../src/domain/accounts.ts';
import { createPasswordHasher } from '../src/domain/passwords.ts';

let h: Harness;
beforeAll(async () => {
  h = await startAuth();
});
afterAll(async () => {
  await h?.close();
});

function post(url: string, payload: unknown) {
  return h.app.inject({ method: 'POST', url, payload: payload as object, remoteAddress: uniqueIp() });
}

/** Registers a new, unique username with its own address; `fields` add to or replace the body. */
async function registerNew(fields: Record<string, unknown> = {}) {
  const username = uniqueName();
  const res = await post('/auth/register', {
    username,
    email: `${username}@example.test`,
    password: 'long enough pw',
    ...fields,
  });
  return { username, res };
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json() as { status: number; request_id?: string; title: string };
  expect(body.status).toBe(status);
  expect(body.request_id).toBeTruthy();
  return body as { status: number; detail?: string; errors?: { field: string; message: string }[] };
}

describe('registration', () => {
  it('creates a customer account and answers with the public profile', async () => {
    const username = uniqueName('Reg');
    const res = await post('/auth/register', {
      username,
      email: `${username}@Example.test`,
      password: 'long enough pw',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username,
      email: `${username}@Example.test`,
      email_verified: false,
      role: 'customer',
      created_at: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(body.created_at))).toBe(false);
    expect(res.body).not.toContain('password');
  });

  it('stores the password as an argon2id hash at OWASP minimum cost (the 7 MiB, five-pass configuration)', async () => {
    const user = await registerUser(h.app);
    const { rows } = await h.pool.query('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
  });

  it('rejects a taken username or email (any case) with the same message', async () => {
    const user = await registerUser(h.app);
    const sameName = await post('/auth/register', {
      username: user.username.toUpperCase(),
      email: `${uniqueName()}@example.test`,
      password: 'another password',
    });
    const sameEmail = await post('/auth/register', {
      username: uniqueName(),
      email: user.email.toUpperCase(),
      password: 'another password',
    });
    const a = expectProblem(sameName, 409);
    const b = expectProblem(sameEmail, 409);
    expect(a.detail).toBe('username or email already taken');
    expect(b.detail).toBe(a.detail);
  });

  it('rejects a role smuggled into the body and creates no account', async () => {
    const { username, res } = await registerNew({ role: 'admin' });
    const body = expectProblem(res, 422);
    expect(body.errors).toEqual([{ field: 'body.role', message: 'unknown field' }]);
    const { rowCount } = await h.pool.query('SELECT 1 FROM users WHERE username = $1', [username]);
    expect(rowCount).toBe(0);
  });

  it.each([
    ['a too short username', { username: 'ab' }],
    ['a username with spaces', { username: 'two words' }],
    ['a too long username', { username: 'x'.repeat(33) }],
    ['an invalid email', { email: 'not-an-email' }],
    ['a too short password', { password: 'short' }],
    ['a too long password', { password: 'p'.repeat(129) }],
    ['a numeric password', { password: 12345678 }],
    ['a missing email', { email: undefined }],
  ])('rejects %s with 422', async (_name, override) => {
    const { res } = await registerNew(override);
    expectProblem(res, 422);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "abc", ',
    });
    expect(expectProblem(res, 400).detail).toBe('malformed JSON body');
  });

  it('treats SQL-looking input as plain data', async () => {
    const password = "' OR 1=1; DROP TABLE users; --";
    const user = await registerUser(h.app, { password });
    const tokens = await loginAs(h.app, user);
    expect(tokens.access_token).toBeTruthy();
    const sneaky = await post('/auth/login', { username: "admin' --", password: "' OR '1'='1" });
    expectProblem(sneaky, 401);
    const email = await post('/auth/register', {
      username: uniqueName(),
      email: "x'; DROP TABLE users;--@example.test",
      password: 'long enough pw',
    });
    expect([201, 422]).toContain(email.statusCode);
    const { rows } = await h.pool.query('SELECT count(*)::int AS n FROM users');
    expect(rows[0].n).toBeGreaterThan(0);
  });
});

describe('the signed-in user', () => {
  it('reads their own profile with an access token', async () => {
    const user = await registerUser(h.app);
    const tokens = await loginAs(h.app, user);
    const res = await h.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(tokens.access_token) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: user.id,
      username: user.username,
      email: user.email,
      role: 'customer',
    });
  });

  it('is asked to sign in without a token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/auth/me' });
    expectProblem(res, 401);
  });
});

describe('password choice', () => {
  const register = (password: string, username = uniqueName()) =>
    post('/auth/register', { username, email: `${username}@example.test`, password });

  it.each([
    'password',
    '12345678',
    'PASSWORD',
    'password1',
    'iloveyou',
    'qwertyuiop',
    'trustno1',
    'aaaaaaaaaa',
  ])('refuses %s with a 422 that names the field, and creates no account', async (password) => {
    const username = uniqueName('weak');
    const res = await register(password, username);
    const problem = expectProblem(res, 422);
    expect(problem.detail).toMatch(/^password is not allowed: /);
    expect(problem.errors).toEqual([{ field: 'body.password', message: expect.any(String) }]);
    const { rows } = await h.pool.query('SELECT 1 FROM users WHERE username = $1', [username]);
    expect(rows).toEqual([]);
  });

  it('refuses a password that is mostly the username or the email address', async () => {
    const username = uniqueName('self');
    for (const password of [username, `${username}123`, `${username}@example.test`, username.toUpperCase()]) {
      expectProblem(await register(password, username), 422);
    }
  });

  it('accepts a long passphrase that appears on no list', async () => {
    expect((await register('correct horse battery')).statusCode).toBe(201);
    expect((await register('ada loves analytical engines')).statusCode).toBe(201);
  });
});

describe('email verification', () => {
  const verify = (token: unknown) =>
    h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });
  const verified = async (id: string) =>
    (await h.pool.query('SELECT email_verified FROM users WHERE id = $1', [id])).rows[0].email_verified;

  it('marks the email verified with the token from the verification email', async () => {
    const user = await registerUser(h.app);
    const token = h.mailbox.get(user.email);
    expect(token).toBeTruthy();
    const res = await verify(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: user.id, email_verified: true });
    const again = await verify(token);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: user.id, email_verified: true });
  });

  it('changes nothing when the link is only opened (a GET, as mail scanners do)', async () => {
    const user = await registerUser(h.app);
    const token = h.mailbox.get(user.email) as string;
    const res = await h.app.inject({ method: 'GET', url: `/auth/verify-email?token=${token}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/verify-email?token=${token}`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await verified(user.id)).toBe(false);
    expect(
      (await h.app.inject({ method: 'HEAD', url: `/auth/verify-email?token=${token}` })).statusCode,
    ).toBe(303);
    expect(await verified(user.id)).toBe(false);
    // The token still works once the person confirms on the page.
    expect((await verify(token)).json()).toMatchObject({ email_verified: true });
  });

  it('keeps only a hash of the token and never shows it in API responses', async () => {
    const { username, res } = await registerNew();
    const token = h.mailbox.get(`${username}@example.test`) as string;
    expect(res.body).not.toContain(token);
    const hash = createHash('sha256').update(token).digest('hex');
    const { rows } = await h.pool.query('SELECT token_hash FROM email_verifications WHERE user_id = $1', [
      res.json().id,
    ]);
    expect(rows).toEqual([{ token_hash: hash }]);
  });

  it('rejects an unknown token', async () => {
    expectProblem(await verify('not-a-real-token'), 400);
  });

  it('rejects an expired token and leaves the email unverified', async () => {
    const user = await registerUser(h.app);
    const token = h.mailbox.get(user.email) as string;
    await h.pool.query(
      "UPDATE email_verifications SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
      [user.id],
    );
    expectProblem(await verify(token), 400);
    expect(await verified(user.id)).toBe(false);
  });

  it('requires the token', async () => {
    expectProblem(await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: {} }), 422);
    expectProblem(await h.app.inject({ method: 'GET', url: '/auth/verify-email' }), 422);
  });
});

describe('first admin', () => {
  it('is created from config once and can sign in as admin', async () => {
    const email = `${uniqueName('boss')}@minishop.test`;
    const ctx = { pool: h.pool, passwords: createPasswordHasher() };
    const admin = { email, password: 'admin password 1', username: uniqueName('admin') };
    const first = await ensureFirstAdmin(ctx, admin);
    const second = await ensureFirstAdmin(ctx, admin);
    expect(second.id).toBe(first.id);
    const tokens = await loginAs(h.app, { username: email.toUpperCase(), password: admin.password });
    const me = await h.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(tokens.access_token) });
    expect(me.json()).toMatchObject({ id: first.id, role: 'admin', email_verified: true });
  });

  it('promotes an existing account with the configured email to admin', async () => {
    const user = await registerUser(h.app);
    const ctx = { pool: h.pool, passwords: createPasswordHasher() };
    const admin = await ensureFirstAdmin(ctx, {
      email: user.email,
      password: 'ignored password',
      username: 'ignored',
    });
    expect(admin).toMatchObject({ id: user.id, role: 'admin' });
    const tokens = await loginAs(h.app, user);
    const me = await h.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(tokens.access_token) });
    expect(me.json().role).toBe('admin');
  });
});
