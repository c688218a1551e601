import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, loginAs, registerUser, startAuth, uniqueIp, type Harness } from './harness.ts';

let h: Harness;
let access: string;
beforeAll(async () => {
  h = await startAuth();
  access = (await loginAs(h.app, await registerUser(h.app))).access_token;
});
afterAll(async () => {
  await h?.close();
});

const ROUTES = ['/auth/register', '/auth/login', '/auth/refresh', '/auth/logout', '/auth/token'];

const BODIES: [string, string, string][] = [
  ['malformed JSON', 'application/json', '{"username":'],
  ['an empty JSON body', 'application/json', ''],
  ['JSON null', 'application/json', 'null'],
  ['a JSON array', 'application/json', '[1,2,3]'],
  ['a JSON string', 'application/json', '"hello"'],
  [
    'fields of the wrong type',
    'application/json',
    '{"username":{"$ne":null},"password":["a"],"refresh_token":1}',
  ],
  ['a huge string', 'application/json', JSON.stringify({ username: 'a'.repeat(100_000), password: 'b' })],
  ['prototype pollution keys', 'application/json', '{"__proto__":{"role":"admin"},"constructor":{"x":1}}'],
  ['NUL bytes', 'application/json', JSON.stringify({ username: 'a\u0000b', password: '\u0000' })],
  ['plain text', 'text/plain', 'username=admin'],
  ['a repeated form field', 'application/x-www-form-urlencoded', 'username=a&username=b&password=c'],
  ['XML', 'application/xml', '<user><role>admin</role></user>'],
];

describe('bad input never causes a server error', () => {
  for (const url of ROUTES) {
    it.each(BODIES)(`${url} answers %s with a 4xx problem`, async (_name, contentType, payload) => {
      const res = await h.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': contentType, ...bearer(access) },
        payload,
        remoteAddress: uniqueIp(),
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().request_id).toBe(res.headers['x-request-id']);
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    });
  }

  it('answers a body over 1 MiB with 413', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x'.repeat(1_100_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers odd verification tokens with 4xx', async () => {
    for (const token of ["' OR 1=1 --", '%00', '\u0000', 'a'.repeat(600), '../../etc/passwd']) {
      const res = await h.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
  });
});
