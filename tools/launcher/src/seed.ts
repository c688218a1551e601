// Seeds the demo catalog through the gateway's public API, as an admin would, and only into an
// empty catalog so that a restart never duplicates products or overwrites an admin's edits.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface DemoProduct {
  name: string;
  description: string;
  price: string;
  stock: number;
}

export const DEMO_PRODUCTS_FILE = path.join(import.meta.dirname, '..', 'data', 'demo-products.json');

export async function loadDemoProducts(file = DEMO_PRODUCTS_FILE): Promise<DemoProduct[]> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as DemoProduct[];
}

export interface SeedResult {
  /** Products created now; 0 when the catalog already had products. */
  created: number;
  /** Products in the catalog before seeding. */
  existing: number;
}

async function call(url: string, init: RequestInit): Promise<Response> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${body.slice(0, 300)}`);
  }
  return response;
}

/** Logs in as the admin through the gateway and returns the access token. */
export async function adminToken(
  gatewayUrl: string,
  admin: { email: string; password: string },
): Promise<string> {
  const response = await call(`${gatewayUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: admin.email, password: admin.password }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error('login answered without an access_token');
  return body.access_token;
}

export async function seedCatalog(
  gatewayUrl: string,
  admin: { email: string; password: string },
  products: DemoProduct[],
): Promise<SeedResult> {
  const list = await call(`${gatewayUrl}/catalog/products?limit=1`, { method: 'GET' });
  await list.body?.cancel();
  const existing = Number(list.headers.get('x-total-count') ?? 'NaN');
  if (!Number.isFinite(existing)) throw new Error('GET /catalog/products answered without X-Total-Count');
  if (existing > 0) return { created: 0, existing };

  const token = await adminToken(gatewayUrl, admin);
  let created = 0;
  // One at a time keeps the products' creation order (and so the default listing) stable.
  for (const product of products) {
    const response = await call(`${gatewayUrl}/catalog/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(product),
    });
    await response.body?.cancel();
    created++;
  }
  return { created, existing };
}
