// The gateway serving a web app build: a small fixture dist made here (an index.html, one hashed
// asset with its .br and .gz siblings, routes.json), independent of the real web app.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import { eventually } from '@minishop/devstack/testing';
import { compilePageRoutes } from '../src/page-routes.ts';
import { startEchoService, startGateway, type RunningGateway, type StandIn } from './gateway-fixture.ts';

const issuer = createTestIssuer();
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-3f9a1c.js"></script></head></html>';
const SCRIPT = `console.log(${JSON.stringify('minishop '.repeat(200))});`;

async function writeDist(dir: string, routes: string[] | null): Promise<void> {
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'index.html'), INDEX);
  const asset = path.join(dir, 'assets', 'app-3f9a1c.js');
  await writeFile(asset, SCRIPT);
  await writeFile(`${asset}.br`, brotliCompressSync(SCRIPT));
  await writeFile(`${asset}.gz`, gzipSync(SCRIPT));
  if (routes) await writeFile(path.join(dir, 'routes.json'), JSON.stringify(routes));
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request whose Accept-Encoding is exactly the one given, with the body as sent. */
function get(
  base: string,
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(url, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const json = (answer: RawAnswer) => JSON.parse(answer.body.toString()) as Record<string, unknown>;

let dist: string;
let catalog: StandIn;
let gateway: RunningGateway;
beforeAll(async () => {
  dist = await mkdtemp(path.join(os.tmpdir(), 'minishop-web-dist-'));
  await writeDist(dist, ['/', '/products/:id', '/verify-email', '/admin/*']);
  catalog = await startEchoService('catalog');
  gateway = await startGateway(issuer.verifier, { CATALOG_URL: catalog.url, WEB_ROOT: dist });
});
afterAll(async () => {
  await gateway?.close();
  await catalog?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('pages', () => {
  it.each(['/', '/products/9b1deb4d', '/verify-email?token=abc', '/admin/orders/7'])(
    'answers %s with index.html, never cached, with the security headers',
    async (url) => {
      const res = await get(gateway.url, url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body.toString()).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    },
  );

  it('answers HEAD for a page without a body', async () => {
    const res = await get(gateway.url, '/products/9b1deb4d', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body.length).toBe(0);
  });

  it.each([
    ['GET', '/nowhere'],
    ['GET', '/products'],
    ['GET', '/products/1/reviews'],
    ['POST', '/products/9b1deb4d'],
    ['GET', '/notify/x'],
    ['GET', '/docs/nothing-here'],
  ])('answers %s %s, which is no page, with a 404 problem', async (method, url) => {
    const res = await get(gateway.url, url, {}, method);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(res)).toMatchObject({ status: 404 });
  });

  it('keeps forwarding API paths to their service', async () => {
    const res = await get(gateway.url, '/catalog/products?limit=1');
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({ service: 'catalog', url: '/catalog/products?limit=1' });
  });
});

describe('assets', () => {
  const ASSET = '/assets/app-3f9a1c.js';

  it('sends brotli to a client that accepts it, long-cached and varying by encoding', async () => {
    const res = await get(gateway.url, ASSET, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(res.body).toString()).toBe(SCRIPT);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.vary?.toLowerCase()).toContain('accept-encoding');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends gzip to a client that accepts only gzip, and the plain file to one that accepts neither', async () => {
    const gz = await get(gateway.url, ASSET, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);
    const plain = await get(gateway.url, ASSET);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
    expect(plain.headers.vary?.toLowerCase()).toContain('accept-encoding');
  });

  it.each(['/assets/missing-000000.js', '/assets/%2e%2e/routes.json', '/assets/..%2findex.html'])(
    'answers %s with a 4xx problem, never another file',
    async (url) => {
      const res = await get(gateway.url, url);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    },
  );
});

describe('without a build', () => {
  it('says at / that no web app is served when WEB_ROOT is not set', async () => {
    const bare = await startGateway(issuer.verifier);
    try {
      const res = await get(bare.url, '/');
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(String(json(res).detail)).toContain('WEB_ROOT');
    } finally {
      await bare.close();
    }
  });

  it('answers 503 until a build appears, then serves it, and follows a rebuild', async () => {
    const later = await mkdtemp(path.join(os.tmpdir(), 'minishop-web-later-'));
    const early = await startGateway(issuer.verifier, { WEB_ROOT: later });
    try {
      const before = await get(early.url, '/');
      expect(before.status).toBe(503);
      expect(before.headers['retry-after']).toBe('5');
      await writeDist(later, ['/']);
      expect((await get(early.url, '/')).status).toBe(200);
      expect((await get(early.url, '/cart-page')).status).toBe(404);
      await writeFile(path.join(later, 'routes.json'), JSON.stringify(['/', '/cart-page']));
      await eventually(async () => expect((await get(early.url, '/cart-page')).status).toBe(200));
    } finally {
      await early.close();
      await rm(later, { recursive: true, force: true });
    }
  });
});

describe('routes.json', () => {
  it('matches parameters, a final wildcard and nothing else', () => {
    const routes = compilePageRoutes(['/', '/products/:id', '/admin/*']);
    expect(['/', '/products/1', '/admin/', '/admin/orders/2'].map(routes.matches)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['/products', '/products/', '/products/1/x', '/productsx/1', '/admins'].map(routes.matches),
    ).toEqual([false, false, false, false, false]);
  });

  it('refuses a list that claims API paths or is not a list of paths', () => {
    expect(() => compilePageRoutes(['/', '/auth/login'])).toThrow(/API paths/);
    expect(() => compilePageRoutes(['/', '/cart'])).toThrow(/API paths/);
    expect(() => compilePageRoutes({ '/': true })).toThrow(/JSON array/);
    expect(() => compilePageRoutes(['products'])).toThrow(/JSON array/);
  });
});
