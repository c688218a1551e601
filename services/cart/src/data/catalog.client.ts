// Reads products from Catalog's public API (names, current prices, stock) through the kit's
// service client, so every lookup has a timeout, bounded retries and a circuit breaker.
import { Unavailable } from '@minishop/kit/errors';
import { parseMoney } from '@minishop/kit/money';
import { createServiceClient, type ServiceClient } from '@minishop/kit/service-client';

export interface Product {
  id: string;
  name: string;
  /** Current unit price in cents. */
  priceCents: number;
  currency: string;
  stock: number;
}

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

export function createProductCatalog(client: ServiceClient): ProductCatalog {
  return {
    async product(id, requestId) {
      const res = await client.request<ProductBody>({
        method: 'GET',
        path: `/catalog/products/${encodeURIComponent(id)}`,
        ...(requestId ? { requestId } : {}),
      });
      if (res.status === 404) return null;
      if (res.status !== 200) throw new Unavailable(`catalog answered ${res.status} for product ${id}`);
      return toProduct(res.body);
    },

    async products(ids, requestId) {
      if (ids.length === 0) return new Map();
      // One lookup for the whole cart rather than a request per line.
      const res = await client.request<ProductBody[]>({
        method: 'POST',
        path: '/catalog/products/lookup',
        body: { ids },
        idempotent: true,
        ...(requestId ? { requestId } : {}),
      });
      if (res.status !== 200 || !Array.isArray(res.body)) {
        throw new Unavailable(`catalog answered ${res.status} to a product lookup`);
      }
      return new Map(res.body.map((body) => toProduct(body)).map((product) => [product.id, product]));
    },
  };
}
