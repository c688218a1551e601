// One request, one id, wherever the work it causes goes: the service client passes the id of the
// request being served on every call it makes (and the service-token fetch), after the body was
// read too; work done outside requests carries none. Every answer says nosniff.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portOf } from '@minishop/devstack/testing';
import { createService, type App } from '../src/http.ts';
import { createServiceClient, serviceToken } from '../src/service-client.ts';
import { withRootContext } from '../src/telemetry.ts';

const seen: IncomingHttpHeaders[] = [];
let upstream: Server;
let app: App;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    const body =
      req.url === '/auth/token' ? { access_token: 'service-token', expires_in: 900 } : { ok: true };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${portOf(upstream)}`;
  const token = serviceToken({ authUrl: baseUrl, clientId: 'kit-test', clientSecret: 'secret-secret' });
  const client = createServiceClient({ name: 'upstream', baseUrl, token: token.get });

  app = await createService({ name: 'request-id-test', logLevel: 'silent' });
  app.post(
    '/forward',
    { schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) } },
    async () => {
      await client.request({ method: 'GET', path: '/first' });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await client.request({ method: 'POST', path: '/second', body: {} });
      return { done: true };
    },
  );
  app.get('/background', async () => {
    // Work the request starts but that is not part of it (a loop woken by it, say).
    await withRootContext(() => client.request({ method: 'GET', path: '/background-work' }));
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('the request id', () => {
  it('goes with every call the request makes, the service-token fetch included, after its body was read', async () => {
    seen.length = 0;
    const res = await fetch(`http://127.0.0.1:${portOf(app.server)}/forward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'checkout-42' },
      body: JSON.stringify({ n: 1 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('checkout-42');
    expect(seen).toHaveLength(3); // the token, then the two calls
    for (const headers of seen) expect(headers['x-request-id']).toBe('checkout-42');
  });

  it('is not passed on by work done outside the request', async () => {
    seen.length = 0;
    const res = await fetch(`http://127.0.0.1:${portOf(app.server)}/background`, {
      headers: { 'x-request-id': 'not-for-the-loop' },
    });
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]!['x-request-id']).toBeUndefined();
  });
});

describe('a service without request context', () => {
  it('still answers with the id, but its calls carry none unless it passes one itself', async () => {
    const plain = await createService({ name: 'no-context-test', logLevel: 'silent', requestContext: false });
    const client = createServiceClient({ name: 'upstream', baseUrl: `http://127.0.0.1:${portOf(upstream)}` });
    plain.get('/call', async () => {
      await client.request({ method: 'GET', path: '/plain' });
      return { done: true };
    });
    try {
      seen.length = 0;
      const res = await plain.inject({ url: '/call', headers: { 'x-request-id': 'gateway-7' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toBe('gateway-7');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(seen).toHaveLength(1);
      expect(seen[0]!['x-request-id']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('every answer', () => {
  it('tells browsers not to guess its content type, on the public and the management port', async () => {
    for (const res of [
      await app.inject({ url: '/background' }),
      await app.inject({ url: '/nowhere' }),
      await app.inject({ method: 'POST', url: '/forward', payload: { n: 'x' } }),
      await app.management.inject({ url: '/healthz' }),
      await app.management.inject({ url: '/metrics' }),
      await app.management.inject({ url: '/nowhere' }),
    ]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
