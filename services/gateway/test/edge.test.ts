import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import { startEchoService, startGateway, type RunningGateway, type StandIn } from './gateway-fixture.ts';

const issuer = createTestIssuer();
let catalog: StandIn;

beforeAll(async () => {
  catalog = await startEchoService('catalog');
});

afterAll(async () => {
  await catalog.close();
});

/** A documentation-range address of its own, so counters never collide across tests. */
function uniqueIp(): string {
  return `198.51.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

describe('CORS', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway(issuer.verifier, {
      CATALOG_URL: catalog.url,
      CORS_ORIGINS: 'http://localhost:5173, https://shop.example.test',
    });
  });
  afterAll(() => gateway.close());

  it('lets an allowed origin read responses and the total count header', async () => {
    const res = await fetch(`${gateway.url}/catalog/products`, {
      headers: { origin: 'https://shop.example.test' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.test');
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-total-count');
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
  });

  it('answers an allowed preflight without a token', async () => {
    const res = await fetch(`${gateway.url}/orders`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('does not grant other origins', async () => {
    const res = await fetch(`${gateway.url}/catalog/products`, {
      headers: { origin: 'https://evil.example.test' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${gateway.url}/orders`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limit', () => {
  let first: RunningGateway;
  let second: RunningGateway;
  beforeAll(async () => {
    // One trusted proxy in front: the client address is the last X-Forwarded-For entry.
    const env = { CATALOG_URL: catalog.url, RATE_LIMIT_PER_MINUTE: '4', TRUST_PROXY_HOPS: '1' };
    first = await startGateway(issuer.verifier, env);
    second = await startGateway(issuer.verifier, env);
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  const get = (gateway: RunningGateway, ip: string) =>
    fetch(`${gateway.url}/catalog/products`, { headers: { 'x-forwarded-for': ip } });

  it('answers 429 problem with Retry-After once a client exceeds its limit', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 4; i += 1) expect((await get(first, ip)).status).toBe(200);
    const res = await get(first, ip);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await res.json()).toMatchObject({ status: 429 });
  });

  it('counts a client across gateway replicas', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 2; i += 1) expect((await get(first, ip)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await get(second, ip)).status).toBe(200);
    expect((await get(second, ip)).status).toBe(429);
  });

  it('limits each client on its own', async () => {
    const busy = uniqueIp();
    for (let i = 0; i < 5; i += 1) await get(first, busy);
    expect((await get(first, busy)).status).toBe(429);
    expect((await get(first, uniqueIp())).status).toBe(200);
  });

  it('never throttles health probes', async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(`${first.management}/healthz`, { headers: { 'x-forwarded-for': ip } });
      expect(res.status).toBe(200);
    }
  });
});

describe('API docs', () => {
  let gateway: RunningGateway;
  const standIns: StandIn[] = [];
  beforeAll(async () => {
    const document = (service: string, path: string) => ({
      openapi: '3.1.0',
      info: { title: service, version: '1' },
      tags: [{ name: service }],
      paths: {
        [path]: {
          get: {
            tags: [service],
            responses: {
              200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
            },
          },
          // A service-only operation beside a public one on the same path.
          post: {
            'x-internal': true,
            responses: {
              200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Hold' } } } },
            },
          },
        },
        [`${path}/internal`]: {
          delete: {
            'x-internal': true,
            responses: {
              200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Hold' } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          Item: { type: 'object', properties: { id: { type: 'string' } } },
          // Used only by the internal operations, through another schema.
          Hold: { type: 'object', properties: { lines: { $ref: '#/components/schemas/HoldLine' } } },
          HoldLine: { type: 'object' },
        },
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
    });
    for (const [service, path] of [
      ['catalog', '/catalog/products'],
      ['cart', '/cart'],
    ] as const) {
      standIns.push(
        await startEchoService(service, (req) =>
          req.url === '/openapi.json' ? { json: document(service, path) } : null,
        ),
      );
    }
    gateway = await startGateway(issuer.verifier, {
      CATALOG_URL: standIns[0]!.url,
      CART_URL: standIns[1]!.url,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await Promise.all(standIns.map((s) => s.close()));
  });

  it('merges the public paths of every reachable service into /docs/json, without internal ones', async () => {
    const res = await fetch(`${gateway.url}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, { get: { responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      info: { description: string };
    };
    expect(Object.keys(doc.paths).sort()).toEqual(['/cart', '/catalog/products']);
    expect(Object.keys(doc.paths['/cart']!)).toEqual(['get']);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(['cart.Item', 'catalog.Item']);
    expect(JSON.stringify(doc.paths['/cart'])).toContain('#/components/schemas/cart.Item');
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    expect(doc.info.description).toContain('auth');
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await fetch(`${gateway.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    // Every script the page runs is a file of this origin, which the policy allows.
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src="\.?\/?(docs\/)?[\w./-]+"/);
      expect(inline!.trim()).toBe('');
    }
  });
});
