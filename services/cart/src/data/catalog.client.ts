// Reads products from Catalog's public API (names, current prices, stock) through the kit's
// service client, so every lookup has a timeout, bounded retries and a circuit breaker. Catalog
// declares how long its product answers stay fresh (`Cache-Control: public, max-age=N`); each
// product is kept that long, by id, and only products not held fresh are asked for again, as the
// gateway does with the same answers. A product Catalog does not know is never kept.
import { sharedMaxAge } from '@minishop/kit/cache-control';
import { Unavailable } from '@minishop/kit/errors';
import { createExpiringCache, type ExpiringCache } from '@minishop/kit/expiring-cache';
import { parseMoney } from '@minishop/kit/money';
import { createServiceClient, type ResponseHeaders, type ServiceClient } from '@minishop/kit/service-client';

export interface Product {
  id: string;
  name: string;
  /** Current unit price in cents. */
  priceCents: number;
  currency: string;
  stock: number;
}

/** Products as Catalog gave them, at most as old as the max-age Catalog declared with them. */
export interface ProductCatalog {
  /** The product, or null when Catalog does not know it (never existed or deleted). */
  product(id: string, requestId?: string): Promise<Product | null>;
  /** The products Catalog knows among ids (at most 100), by id; unknown and deleted ones are absent. */
  products(ids: string[], requestId?: string): Promise<Map<string, Product>>;
}

interface ProductBody {
  id?: unknown;
  name?: unknown;
  price?: unknown;
  currency?: unknown;
  stock?: unknown;
}

export function catalogClient(baseUrl: string): ServiceClient {
  return createServiceClient({ name: 'catalog', baseUrl, timeoutMs: 2_000, retries: 2 });
}

function toProduct(body: ProductBody): Product {
  const priceCents =
    typeof body.price === 'string' || typeof body.price === 'number' ? parseMoney(body.price) : null;
  if (
    typeof body.id !== 'string' ||
    typeof body.name !== 'string' ||
    priceCents === null ||
    typeof body.stock !== 'number' ||
    !Number.isInteger(body.stock)
  ) {
    throw new Unavailable('catalog sent a product the cart cannot read');
  }
  return {
    id: body.id.toLowerCase(),
    name: body.name,
    priceCents,
    currency: typeof body.currency === 'string' ? body.currency : 'USD',
    stock: body.stock,
  };
}

/** Keeps the products of one Catalog answer for as long as the answer says they stay fresh. */
function keep(fresh: ExpiringCache<Product>, products: Product[], headers: ResponseHeaders): void {
  const maxAgeMs = sharedMaxAge(headers['cache-control']) * 1000;
  if (maxAgeMs <= 0) return;
  for (const product of products) fresh.set(product.id, product, maxAgeMs);
}

/** Products held at once; the oldest goes first. */
const MAX_PRODUCTS = 10_000;

export interface ProductCatalogOptions {
  /** Clock of the freshness, in ms (tests move it). */
  now?: () => number;
}

export function createProductCatalog(
  client: ServiceClient,
  options: ProductCatalogOptions = {},
): ProductCatalog {
  const fresh = createExpiringCache<Product>({ maxEntries: MAX_PRODUCTS, now: options.now });
  return {
    async product(id, requestId) {
      const held = fresh.get(id.toLowerCase());
      if (held) return held;
      const res = await client.request<ProductBody>({
        method: 'GET',
        path: `/catalog/products/${encodeURIComponent(id)}`,
        ...(requestId ? { requestId } : {}),
      });
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Unavailable(`catalog answered ${res.status} for product ${id}`);
      const product = toProduct(res.body);
      keep(fresh, [product], res.headers);
      return product;
    },

    async products(ids, requestId) {
      const found = new Map<string, Product>();
      const missing: string[] = [];
      for (const id of ids) {
        const held = fresh.get(id.toLowerCase());
        if (held) found.set(held.id, held);
        else missing.push(id);
      }
      if (missing.length === 0) return found;
      // One lookup for every line not held fresh rather than a request per line.
      const res = await client.request<ProductBody[]>({
        method: 'POST',
        path: '/catalog/products/lookup',
        body: { ids: missing },
        idempotent: true,
        ...(requestId ? { requestId } : {}),
      });
      if (res.status !== 200 || !Array.isArray(res.body)) {
        throw new Unavailable(`catalog answered ${res.status} to a product lookup`);
      }
      const products = res.body.map((body) => toProduct(body));
      keep(fresh, products, res.headers);
      for (const product of products) found.set(product.id, product);
      return found;
    },
  };
}
