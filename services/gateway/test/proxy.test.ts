import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import {
  deadUrl,
  startEchoService,
  startGateway,
  startSilentService,
  startStandIn,
  type EchoedRequest,
  type RunningGateway,
  type StandIn,
} from './gateway-fixture.ts';

const SERVICES = ['auth', 'catalog', 'cart', 'orders', 'payments', 'shipping', 'notifications'] as const;
const issuer = createTestIssuer();
const standIns: StandIn[] = [];
let gateway: RunningGateway;
let bearer: string;

beforeAll(async () => {
  const env: Record<string, string> = {};
  for (const service of SERVICES) {
    const standIn = await startEchoService(service, (req) =>
      req.url === '/orders/created' ? { status: 201, json: { id: 'new' } } : null,
    );
    standIns.push(standIn);
    env[`${service.toUpperCase()}_URL`] = standIn.url;
  }
  gateway = await startGateway(issuer.verifier, env);
  bearer = `Bearer ${issuer.customer().token}`;
});

afterAll(async () => {
  await gateway.close();
  await Promise.all(standIns.map((s) => s.close()));
});

async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(gateway.url + path, {
    ...init,
    headers: { authorization: bearer, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return { res, text, json: () => JSON.parse(text) as EchoedRequest & Record<string, unknown> };
}

/** A request with the path sent exactly as written (fetch would normalise dot segments). */
function rawGet(path: string): Promise<number> {
  const { hostname, port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path, method: 'GET', headers: { authorization: bearer } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('routing', () => {
  it.each([
    ['/auth/me', 'auth'],
    ['/catalog/products?limit=2&q=red%20mug', 'catalog'],
    ['/cart', 'cart'],
    ['/cart/items/3f1c', 'cart'],
    ['/orders', 'orders'],
    ['/orders/9b2e/cancel', 'orders'],
    ['/payments', 'payments'],
    ['/payments/0c1d', 'payments'],
    ['/shipping', 'shipping'],
    ['/shipping/77aa', 'shipping'],
    ['/notifications?to=a%40example.test', 'notifications'],
    ['/notifications/7c1e', 'notifications'],
  ])('sends %s to the %s service with path and query unchanged', async (path, service) => {
    const { res, json } = await call(path);
    expect(res.status).toBe(200);
    expect(json()).toMatchObject({ service, method: 'GET', url: path });
  });

  it('answers 404 problem for a path no service owns', async () => {
    const { res, json } = await call('/nowhere/at/all');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(json()).toMatchObject({ status: 404 });
  });

  it('refuses a path with dot segments instead of forwarding it elsewhere', async () => {
    expect(await rawGet('/catalog/../orders')).toBe(400);
    expect(await rawGet('/catalog/%2e%2e/orders')).toBe(400);
  });

  it('passes the service status and headers back to the client', async () => {
    const { res, json } = await call('/orders/created', { method: 'POST' });
    expect(res.status).toBe(201);
    expect(json()).toEqual({ id: 'new' });
    expect(res.headers.get('x-total-count')).toBe('42');
  });
});

describe('forwarding', () => {
  it('delivers a signed webhook body to payments byte for byte with its signature', async () => {
    const body = '{"type": "payment_intent.succeeded",\n  "data":{"amount":1999, "note":"café"}}  ';
    const { res, json } = await fetch(`${gateway.url}/payments/webhooks/provider`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': 't=1,v1=abc' },
      body,
    }).then(async (r) => ({ res: r, json: (await r.json()) as EchoedRequest }));
    expect(res.status).toBe(200);
    expect(Buffer.from(json.body_base64, 'base64').toString('utf8')).toBe(body);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['stripe-signature']).toBe('t=1,v1=abc');
    expect(json.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('forwards method, authorization, idempotency key and binary bodies unchanged', async () => {
    const bytes = randomBytes(4096);
    const key = randomUUID();
    const { json } = await call('/orders', {
      method: 'PUT',
      headers: { 'idempotency-key': key, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const echoed = json();
    expect(echoed.method).toBe('PUT');
    expect(echoed.headers.authorization).toBe(bearer);
    expect(echoed.headers['idempotency-key']).toBe(key);
    expect(Buffer.from(echoed.body_base64, 'base64').equals(bytes)).toBe(true);
  });

  it('forwards form-encoded logins and malformed JSON for the service to judge', async () => {
    const form = await call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=ann&password=p%40ss',
    });
    expect(Buffer.from(form.json().body_base64, 'base64').toString()).toBe('username=ann&password=p%40ss');
    const broken = await call('/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username": ',
    });
    expect(broken.res.status).toBe(200);
    expect(Buffer.from(broken.json().body_base64, 'base64').toString()).toBe('{"username": ');
  });

  it('accepts a body of exactly 1 MiB', async () => {
    const { res, json } = await call('/cart/items', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(1024 * 1024, 7),
    });
    expect(res.status).toBe(200);
    expect(Buffer.from(json().body_base64, 'base64').length).toBe(1024 * 1024);
  });

  it('rejects a body over 1 MiB with a 413 problem', async () => {
    const { res, json } = await call('/cart/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(1024 * 1024 + 1, 32),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(json()).toMatchObject({ status: 413, title: 'Content Too Large' });
  });

  it('propagates a given request id to the service and back to the client', async () => {
    const id = `req-${randomUUID()}`;
    const { res, json } = await call('/cart', { headers: { 'x-request-id': id } });
    expect(json().headers['x-request-id']).toBe(id);
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it('creates a request id when none is given and hands the same one to the service', async () => {
    const { res, json } = await call('/cart');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(json().headers['x-request-id']).toBe(id);
  });

  it('reports the client address to the service, not what the client claims', async () => {
    const { json } = await call('/cart', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(json().headers['x-forwarded-for']).toBe('127.0.0.1');
  });
});

describe('unavailable services', () => {
  it('answers 503 problem+json at once when a service is not running', async () => {
    const down = await startGateway(issuer.verifier, { SHIPPING_URL: await deadUrl() });
    try {
      const res = await fetch(`${down.url}/shipping/abc`, { headers: { authorization: bearer } });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 503, detail: 'the shipping service is unavailable' });
      expect(body.request_id).toBe(res.headers.get('x-request-id'));
    } finally {
      await down.close();
    }
  });

  it('answers 504 problem+json when a service does not answer in time', async () => {
    const silent = await startSilentService();
    const slow = await startGateway(issuer.verifier, { ORDERS_URL: silent.url, UPSTREAM_TIMEOUT_MS: '300' });
    try {
      const res = await fetch(`${slow.url}/orders`, { headers: { authorization: bearer } });
      expect(res.status).toBe(504);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 504 });
    } finally {
      await slow.close();
      await silent.close();
    }
  });
});

describe('large and body-less answers', () => {
  const big = randomBytes(3 * 1024 * 1024);
  let upstream: StandIn;
  let proxied: RunningGateway;
  let servedBytes = 0;
  let servedWhenClosed = -1;
  let lastClosedEarly: Promise<boolean> = Promise.resolve(false);

  beforeAll(async () => {
    upstream = await startStandIn((req, res) => {
      if (req.url === '/orders/report') {
        res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': big.length,
          'keep-alive': 'timeout=5',
        });
        return void res.end(big);
      }
      if (req.url === '/orders/endless') {
        // Streams until the gateway stops reading (the client went away).
        res.writeHead(200, { 'content-type': 'text/plain' });
        lastClosedEarly = new Promise((resolve) =>
          res.on('close', () => {
            servedWhenClosed = servedBytes;
            resolve(!res.writableFinished);
          }),
        );
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = (): void => {
          while (!res.destroyed && res.write(chunk)) servedBytes += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        return pump();
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2048 });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ pad: 'y'.repeat(2036) }));
    });
    proxied = await startGateway(issuer.verifier, { ORDERS_URL: upstream.url });
  });

  afterAll(async () => {
    await proxied.close();
    await upstream.close();
  });

  it('streams an answer larger than the buffer limit to the client intact', async () => {
    const res = await fetch(`${proxied.url}/orders/report`, { headers: { authorization: bearer } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('keep-alive')).not.toBe('timeout=5');
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(big.length);
    expect(body.equals(big)).toBe(true);
  });

  it('answers HEAD with the length of the body it describes and no body', async () => {
    const res = await fetch(`${proxied.url}/orders/anything`, {
      method: 'HEAD',
      headers: { authorization: bearer },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('2048');
    expect(await res.text()).toBe('');
  });

  it('stops reading from the service when the client goes away mid-answer', async () => {
    const controller = new AbortController();
    const res = await fetch(`${proxied.url}/orders/endless`, {
      headers: { authorization: bearer },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    expect(await lastClosedEarly).toBe(true);
    // The stand-in writes only while its response is open: once closed, what it served is final.
    expect(servedBytes).toBe(servedWhenClosed);
  });
});
