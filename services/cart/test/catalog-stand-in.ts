// A tiny real catalog for cart tests: serves GET /catalog/products/{id} and POST
// /catalog/products/lookup over HTTP from products the test puts in, so the cart talks to it
// exactly as it talks to Catalog. It records what it was asked, and sends the Cache-Control the
// test sets on its product answers (none unless set; Catalog itself sends `public, max-age=1`).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProductView } from '../../catalog/src/domain/products.ts';

/** What Catalog answers for a product, so the stand-in cannot drift from it. */
export type StandInProduct = ProductView;

/** One request the stand-in served: a product read (`id`) or a lookup (`ids`). */
export interface StandInRequest {
  method: string;
  path: string;
  id?: string;
  ids?: string[];
}

export interface CatalogStandIn {
  url: string;
  /** Sent as Cache-Control with every product answer; none when undefined. */
  cacheControl: string | undefined;
  /** What the stand-in was asked so far, oldest first. */
  readonly requests: StandInRequest[];
  add(fields: { name?: string; price: string; stock: number }): StandInProduct;
  update(id: string, fields: Partial<Pick<StandInProduct, 'name' | 'price' | 'stock'>>): void;
  remove(id: string): void;
  close(): Promise<void>;
}

export async function startCatalogStandIn(): Promise<CatalogStandIn> {
  const products = new Map<string, StandInProduct>();
  const requests: StandInRequest[] = [];
  const answerHeaders = () => ({
    'content-type': 'application/json',
    ...(standIn.cacheControl === undefined ? {} : { 'cache-control': standIn.cacheControl }),
  });
  const server: Server = createServer(async (req, res) => {
    const method = req.method ?? '';
    const path = req.url ?? '';
    if (method === 'POST' && path === '/catalog/products/lookup') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const { ids } = JSON.parse(text) as { ids: string[] };
      requests.push({ method, path, ids });
      res.writeHead(200, answerHeaders());
      res.end(JSON.stringify(ids.flatMap((id) => products.get(id.toLowerCase()) ?? [])));
      return;
    }
    const match = /^\/catalog\/products\/([^/?]+)$/.exec(path);
    const id = match ? decodeURIComponent(match[1] ?? '') : undefined;
    requests.push({ method, path, ...(id === undefined ? {} : { id }) });
    const product = method === 'GET' && id !== undefined ? products.get(id) : undefined;
    if (!product) {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
      return;
    }
    res.writeHead(200, answerHeaders());
    res.end(JSON.stringify(product));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const standIn: CatalogStandIn = {
    url: `http://127.0.0.1:${port}`,
    cacheControl: undefined,
    requests,
    add({ name, price, stock }) {
      const id = randomUUID();
      const now = new Date().toISOString();
      const product: StandInProduct = {
        id,
        name: name ?? `Product ${id.slice(0, 8)}`,
        description: 'a product for cart tests',
        price,
        currency: 'USD',
        stock,
        created_at: now,
        updated_at: now,
      };
      products.set(id, product);
      return product;
    },
    update(id, fields) {
      const product = products.get(id);
      if (product) products.set(id, { ...product, ...fields, updated_at: new Date().toISOString() });
    },
    remove(id) {
      products.delete(id);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return standIn;
}
