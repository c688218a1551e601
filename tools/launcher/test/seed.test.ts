import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDemoProducts, seedCatalog, type DemoProduct } from '../src/seed.ts';

describe('demo catalog data', () => {
  it('has at least 24 products with unique names, descriptions, valid prices and stock', async () => {
    const products = await loadDemoProducts();
    expect(products.length).toBeGreaterThanOrEqual(24);
    expect(new Set(products.map((p) => p.name.toLowerCase())).size).toBe(products.length);
    for (const product of products) {
      expect(Object.keys(product).sort()).toEqual(['description', 'name', 'price', 'stock']);
      expect(product.name.trim().length).toBeGreaterThan(2);
      expect(product.name.length).toBeLessThanOrEqual(120);
      expect(product.description.trim().length).toBeGreaterThan(20);
      expect(product.price).toMatch(/^\d{1,6}\.\d{2}$/);
      expect(Number(product.price)).toBeGreaterThan(0);
      expect(Number.isInteger(product.stock) && product.stock > 0).toBe(true);
    }
  });
});

/** A stand-in for the gateway's public API: login and products, in memory. */
function fakeGateway(initial: number) {
  const created: Array<{ body: DemoProduct; authorization: string | undefined }> = [];
  const logins: unknown[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/auth/login') {
        logins.push(JSON.parse(raw));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'admin-token', token_type: 'bearer', expires_in: 900 }));
      } else if (req.method === 'GET' && req.url?.startsWith('/catalog/products')) {
        res.setHeader('x-total-count', String(initial + created.length));
        res.setHeader('content-type', 'application/json');
        res.end('[]');
      } else if (req.method === 'POST' && req.url === '/catalog/products') {
        created.push({ body: JSON.parse(raw) as DemoProduct, authorization: req.headers.authorization });
        res.statusCode = 201;
        res.end('{}');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  return { server, created, logins };
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(server: http.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const admin = { email: 'admin@minishop.local', password: 'minishop-admin' };

describe('seeding the catalog', () => {
  it('creates every demo product as the admin when the catalog is empty', async () => {
    const gateway = fakeGateway(0);
    const url = await listen(gateway.server);
    const products = await loadDemoProducts();

    const result = await seedCatalog(url, admin, products);

    expect(result).toEqual({ created: products.length, existing: 0 });
    expect(gateway.logins).toEqual([{ username: admin.email, password: admin.password }]);
    expect(gateway.created.map((c) => c.body)).toEqual(products);
    expect(gateway.created.every((c) => c.authorization === 'Bearer admin-token')).toBe(true);
  });

  it('leaves a catalog that already has products alone', async () => {
    const gateway = fakeGateway(3);
    const url = await listen(gateway.server);

    const result = await seedCatalog(url, admin, await loadDemoProducts());

    expect(result).toEqual({ created: 0, existing: 3 });
    expect(gateway.created).toEqual([]);
    expect(gateway.logins).toEqual([]);
  });

  it('reports the status and body when the gateway refuses', async () => {
    const server = http.createServer((_req, res) => {
      res.statusCode = 503;
      res.setHeader('content-type', 'application/problem+json');
      res.end('{"title":"catalog unavailable"}');
    });
    const url = await listen(server);
    await expect(seedCatalog(url, admin, await loadDemoProducts())).rejects.toThrow(
      /503.*catalog unavailable/,
    );
  });
});
