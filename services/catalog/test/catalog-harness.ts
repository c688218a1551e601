// Starts the Catalog service on a fresh database for one test file and talks to it over HTTP
// with real signed tokens of every role.
import { testDatabaseUrl } from '@minishop/devstack/testing';
import { loadConfig } from '@minishop/kit/config';
import { createPool, type Pool } from '@minishop/kit/db';
import type { App } from '@minishop/kit/http';
import { createTestIssuer, type TestIssuer } from '@minishop/kit/testing';
import { buildApp } from '../src/app.ts';
import { ConfigSchema, type Config } from '../src/config.ts';
import { applyMigrations } from '../src/data/migrations.ts';

export interface ApiResponse {
  status: number;
  headers: Headers;
  // Tests read arbitrary JSON shapes; typing each body would only restate the schemas.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is with a JSON content type (for malformed bodies). */
  rawBody?: string;
}

export interface Catalog {
  app: App;
  pool: Pool;
  config: Config;
  issuer: TestIssuer;
  adminToken: string;
  reserveToken: string;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  createProduct(
    fields?: Record<string, unknown>,
  ): Promise<{ id: string; name: string; price: string; stock: number }>;
  stockOf(productId: string): Promise<number>;
  close(): Promise<void>;
}

export async function startCatalog(env: Record<string, string> = {}): Promise<Catalog> {
  const url = await testDatabaseUrl('catalog');
  const config = loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    ...env,
  });
  const pool = createPool(url, { applicationName: 'catalog-test' });
  await applyMigrations(pool);
  const issuer = createTestIssuer();
  const app = await buildApp({ config, pool, tokens: issuer.verifier });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('catalog did not listen on a port');
  const base = `http://127.0.0.1:${address.port}`;
  const adminToken = issuer.admin().token;
  const reserveToken = issuer.service(['catalog:reserve'], 'orders');

  async function request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  let counter = 0;
  return {
    app,
    pool,
    config,
    issuer,
    adminToken,
    reserveToken,
    request,
    async createProduct(fields = {}) {
      counter += 1;
      const res = await request('POST', '/catalog/products', {
        token: adminToken,
        body: {
          name: `Product ${counter} ${crypto.randomUUID()}`,
          description: 'test product',
          price: '10.00',
          stock: 5,
          ...fields,
        },
      });
      if (res.status !== 201)
        throw new Error(`creating a product failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async stockOf(productId) {
      const { rows } = await pool.query<{ stock: number }>('SELECT stock FROM products WHERE id = $1', [
        productId,
      ]);
      if (!rows[0]) throw new Error(`no product ${productId}`);
      return rows[0].stock;
    },
    async close() {
      await app.close();
      await pool.end();
    },
  };
}
