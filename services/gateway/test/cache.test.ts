// The gateway's cache of public reads: it keeps only what the owning service marks
// `public, max-age`, never protected or failed answers, and a client can always ask for fresh.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import { startGateway, type RunningGateway } from './gateway-fixture.ts';

const issuer = createTestIssuer();
const hits = new Map<string, number>();
let server: Server;
let gateway: RunningGateway;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const count = hits.get(url)!;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-total-count': '7' };
    if (url.startsWith('/catalog/products')) headers['cache-control'] = 'public, max-age=30';
    if (url.startsWith('/catalog/private')) headers['cache-control'] = 'private, max-age=30';
    if (url.startsWith('/orders')) headers['cache-control'] = 'public, max-age=30';
    const body = JSON.stringify({ url, count });
    headers['content-length'] = String(Buffer.byteLength(body));
    res.writeHead(url.includes('missing') ? 404 : 200, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway = await startGateway(issuer.verifier, { CATALOG_URL: origin, ORDERS_URL: origin });
});

afterAll(async () => {
  await gateway?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(gateway.url + path, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { count: number } };
}

describe('the gateway cache of public reads', () => {
  it('answers repeated public reads from the cache with the service headers and an Age', async () => {
    const first = await get('/catalog/products/abc?x=1');
    const second = await get('/catalog/products/abc?x=1');
    expect(first.body.count).toBe(1);
    expect(second.body.count).toBe(1);
    expect(second.headers.get('x-total-count')).toBe('7');
    expect(second.headers.get('age')).toMatch(/^\d+$/);
    expect(hits.get('/catalog/products/abc?x=1')).toBe(1);
    expect((await get('/catalog/products/abc?x=2')).body.count).toBe(1); // another query is another entry
  });

  it('asks the service again when the client wants a fresh answer', async () => {
    await get('/catalog/products/fresh');
    const fresh = await get('/catalog/products/fresh', { 'cache-control': 'no-cache' });
    expect(fresh.body.count).toBe(2);
    expect((await get('/catalog/products/fresh')).body.count).toBe(2); // the fresh answer is cached
  });

  it('never keeps private, failed or protected answers', async () => {
    await get('/catalog/private/1');
    expect((await get('/catalog/private/1')).body.count).toBe(2);
    expect((await get('/catalog/products/missing')).status).toBe(404);
    expect((await get('/catalog/products/missing')).status).toBe(404);
    expect(hits.get('/catalog/products/missing')).toBe(2);
    const token = { authorization: `Bearer ${issuer.customer().token}` };
    await get('/orders/mine', token);
    expect((await get('/orders/mine', token)).body.count).toBe(2);
    expect((await get('/orders/mine')).status).toBe(401);
  });

  it('counts hits and misses, each miss by its reason', async () => {
    /** The value of the metric's line that carries every given label. */
    const counter = async (metric: string) => {
      const [name, labels = ''] = metric.replace('}', '').split('{');
      const text = await (await fetch(`${gateway.management}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(labels));
      return Number(line?.split(' ').at(-1));
    };
    const before = {
      hits: await counter('minishop_gateway_cache_hits_total'),
      absent: await counter('minishop_gateway_cache_misses_total{reason="absent"}'),
      refresh: await counter('minishop_gateway_cache_misses_total{reason="refresh"}'),
    };
    expect(Object.values(before).every(Number.isFinite)).toBe(true);
    await get('/catalog/products/counted');
    await get('/catalog/products/counted');
    await get('/catalog/products/counted', { 'cache-control': 'no-cache' });
    expect({
      hits: (await counter('minishop_gateway_cache_hits_total')) - before.hits,
      absent: (await counter('minishop_gateway_cache_misses_total{reason="absent"}')) - before.absent,
      refresh: (await counter('minishop_gateway_cache_misses_total{reason="refresh"}')) - before.refresh,
    }).toEqual({ hits: 1, absent: 1, refresh: 1 });
  });
});
