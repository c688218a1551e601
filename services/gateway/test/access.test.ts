import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import { startEchoService, startGateway, type RunningGateway, type StandIn } from './gateway-fixture.ts';

const issuer = createTestIssuer();
const standIns: StandIn[] = [];
let gateway: RunningGateway;

beforeAll(async () => {
  const env: Record<string, string> = {};
  for (const service of ['auth', 'catalog', 'cart', 'orders', 'payments', 'shipping', 'notifications']) {
    const standIn = await startEchoService(service);
    standIns.push(standIn);
    env[`${service.toUpperCase()}_URL`] = standIn.url;
  }
  gateway = await startGateway(issuer.verifier, env);
});

afterAll(async () => {
  await gateway.close();
  await Promise.all(standIns.map((s) => s.close()));
});

function send(method: string, path: string, token?: string) {
  return fetch(gateway.url + path, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
  });
}

const PROTECTED: [string, string][] = [
  ['GET', '/auth/me'],
  ['POST', '/auth/logout'],
  ['POST', '/catalog/products'],
  ['PATCH', '/catalog/products/5d0c'],
  ['DELETE', '/catalog/products/5d0c'],
  ['GET', '/cart'],
  ['POST', '/cart/items'],
  ['POST', '/orders'],
  ['GET', '/orders/5d0c'],
  ['POST', '/payments'],
  ['GET', '/shipping/5d0c'],
  ['GET', '/notifications'],
];

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('protected paths', () => {
  it.each(PROTECTED)('%s %s answers 401 problem without a token', async (method, path) => {
    const res = await send(method, path);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it.each(PROTECTED)('%s %s reaches the service with a valid token', async (method, path) => {
    const token = issuer.customer().token;
    const res = await send(method, path, token);
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as { headers: Record<string, string> };
    expect(echoed.headers.authorization).toBe(`Bearer ${token}`);
  });

  const now = Math.floor(Date.now() / 1000);
  const valid = issuer.customer().token;
  const [header, payload] = valid.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const stranger = createTestIssuer();
  it.each([
    ['alg none', `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`],
    ['a tampered payload', `${header}.${base64url({ ...claims, role: 'admin' })}.${valid.split('.')[2]}`],
    ['an expired token', issuer.token('customer', { iat: now - 7200, exp: now - 3600 })],
    ['a wrong audience', issuer.token('customer', { aud: 'someone-else' })],
    ['a wrong issuer', issuer.token('customer', { iss: 'someone-else' })],
    ['a refresh token', issuer.token('customer', { token_use: 'refresh' })],
    ['a key the gateway does not trust', stranger.customer().token],
    ['garbage', 'not-a-token'],
  ])('rejects %s with 401', async (_name, token) => {
    const res = await send('GET', '/cart', token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ status: 401 });
  });
});

describe('public paths', () => {
  it.each([
    ['POST', '/auth/register'],
    ['POST', '/auth/login'],
    ['POST', '/auth/refresh'],
    ['POST', '/auth/verify-email'],
    ['GET', '/auth/verify-email?token=abc'],
    ['GET', '/auth/.well-known/jwks.json'],
    ['GET', '/catalog/products?limit=20'],
    ['GET', '/catalog/products/5d0c'],
    ['HEAD', '/catalog/products/5d0c'],
    ['POST', '/catalog/products/lookup'],
    ['POST', '/payments/webhooks/provider'],
  ])('%s %s reaches the service without a token', async (method, path) => {
    const res = await send(method, path);
    expect(res.status).toBe(200);
  });

  it('serves its own health, readiness and metrics on its management port, without a token', async () => {
    expect((await fetch(`${gateway.management}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.management}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: {} });
    const metrics = await (await fetch(`${gateway.management}/metrics`)).text();
    expect(metrics).toContain('minishop_http_request_duration_seconds');
  });

  it.each(['/healthz', '/readyz', '/metrics'])(
    'answers %s on its public port with a 404 problem',
    async (path) => {
      const res = await fetch(`${gateway.url}${path}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    },
  );
});

describe('internal paths', () => {
  const INTERNAL: [string, string][] = [
    ['POST', '/auth/token'],
    ['POST', '/catalog/reservations'],
    ['GET', '/catalog/reservations/5d0c'],
    ['POST', '/catalog/reservations/5d0c/commit'],
    ['POST', '/catalog/reservations/5d0c/release'],
    ['GET', '/cart/internal/5d0c'],
    ['DELETE', '/cart/internal/5d0c'],
    ['POST', '/orders/5d0c/shipment-events'],
    ['POST', '/payments/charges'],
    ['POST', '/payments/refunds'],
    ['POST', '/notify'],
    // The same paths spelled so that a router might read them differently.
    ['POST', '/auth/%74oken'],
    ['GET', '/cart/internal/5d0c?x=1'],
    ['GET', '/catalog/reservations'],
    ['GET', '/notify/anything'],
  ];

  it.each(INTERNAL)('refuses %s %s with a 404 problem, whatever the token', async (method, path) => {
    for (const token of [undefined, issuer.customer().token, issuer.admin().token]) {
      const res = await send(method, path, token);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      // The stand-in echoes whatever reaches it; a refusal never came from it.
      expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found' });
    }
  });
});

describe('when signing keys cannot be loaded', () => {
  it('answers 503 problem rather than a server error', async () => {
    // A verifier whose key source fails, as when Auth is down at first use.
    const failing = {
      verify: async () => {
        throw new Error('JWKS request failed');
      },
      refresh: async () => {},
    };
    const standalone = await startGateway(failing, { CART_URL: standIns[2]!.url });
    try {
      const res = await fetch(`${standalone.url}/cart`, {
        headers: { authorization: `Bearer ${issuer.customer().token}` },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: 503 });
    } finally {
      await standalone.close();
    }
  });
});
