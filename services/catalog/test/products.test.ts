import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCatalog, type Catalog } from './catalog-harness.ts';

let catalog: Catalog;

beforeAll(async () => {
  catalog = await startCatalog();
});

afterAll(async () => {
  await catalog?.close();
});

/** A word only this test's products contain, so searches see nothing else. */
function uniqueWord(): string {
  return `w${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

describe('product CRUD', () => {
  it('creates a product and returns it with a decimal-string price in USD', async () => {
    const res = await catalog.request('POST', '/catalog/products', {
      token: catalog.adminToken,
      body: { name: 'Walnut desk lamp', description: 'Warm light', price: '19.99', stock: 7 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Walnut desk lamp',
      description: 'Warm light',
      price: '19.99',
      currency: 'USD',
      stock: 7,
    });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(res.body.created_at)).not.toBeNaN();
    expect(res.body.updated_at).toBe(res.body.created_at);

    const read = await catalog.request('GET', `/catalog/products/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('accepts prices as numbers and whole amounts', async () => {
    const numeric = await catalog.request('POST', '/catalog/products', {
      token: catalog.adminToken,
      body: { name: 'Numeric price', description: '', price: 12.5, stock: 1 },
    });
    expect(numeric.status).toBe(201);
    expect(numeric.body.price).toBe('12.50');
    const whole = await catalog.createProduct({ price: '7' });
    expect(whole.price).toBe('7.00');
  });

  it('defaults description to empty and stock to zero', async () => {
    const res = await catalog.request('POST', '/catalog/products', {
      token: catalog.adminToken,
      body: { name: 'Minimal product', price: '1.00' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ description: '', stock: 0 });
  });

  it('rejects prices with three decimals, negative prices and negative stock with 422', async () => {
    for (const body of [
      { name: 'Three decimals', price: '19.999', stock: 1 },
      { name: 'Three decimals number', price: 19.999, stock: 1 },
      { name: 'Negative price', price: '-1.00', stock: 1 },
      { name: 'Negative number price', price: -1, stock: 1 },
      { name: 'Negative stock', price: '1.00', stock: -1 },
      { name: 'Fractional stock', price: '1.00', stock: 1.5 },
      { name: 'Stock as text', price: '1.00', stock: '3' },
      { name: '   ', price: '1.00', stock: 1 },
      { price: '1.00', stock: 1 },
    ]) {
      const res = await catalog.request('POST', '/catalog/products', { token: catalog.adminToken, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('rejects unknown fields in a new product and creates nothing', async () => {
    const name = `Smuggled ${uniqueWord()}`;
    for (const extra of [
      { id: randomUUID() },
      { currency: 'EUR' },
      { created_at: '2001-01-01T00:00:00Z' },
      { deleted_at: null },
    ]) {
      const res = await catalog.request('POST', '/catalog/products', {
        token: catalog.adminToken,
        body: { name, description: '', price: '1.00', stock: 1, ...extra },
      });
      expect(res.status).toBe(422);
      expect(res.body.errors[0].message).toBe('unknown field');
    }
    const list = await catalog.request('GET', `/catalog/products?q=${encodeURIComponent(name)}`);
    expect(list.body).toEqual([]);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const res = await catalog.request('POST', '/catalog/products', {
      token: catalog.adminToken,
      rawBody: '{"name": "Broken", "price": ',
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, detail: 'malformed JSON body' });
    expect(res.body.request_id).toBeTruthy();
  });

  it('updates only the given fields', async () => {
    const product = await catalog.createProduct({
      name: 'Before',
      description: 'keep me',
      price: '5.00',
      stock: 3,
    });
    const res = await catalog.request('PATCH', `/catalog/products/${product.id}`, {
      token: catalog.adminToken,
      body: { name: 'After', price: 6.25 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'After', description: 'keep me', price: '6.25', stock: 3 });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(res.body.created_at));

    const stock = await catalog.request('PATCH', `/catalog/products/${product.id}`, {
      token: catalog.adminToken,
      body: { stock: 0 },
    });
    expect(stock.body).toMatchObject({ name: 'After', price: '6.25', stock: 0 });
  });

  it('rejects empty, unknown-field and invalid updates without changing the product', async () => {
    const product = await catalog.createProduct({ name: 'Unchanged', price: '5.00', stock: 3 });
    for (const body of [
      {},
      { stock: 1, id: randomUUID() },
      { price: '1.001' },
      { currency: 'EUR' },
      { name: '' },
    ]) {
      const res = await catalog.request('PATCH', `/catalog/products/${product.id}`, {
        token: catalog.adminToken,
        body,
      });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    const read = await catalog.request('GET', `/catalog/products/${product.id}`);
    expect(read.body).toMatchObject({ name: 'Unchanged', price: '5.00', stock: 3 });
  });

  it('deletes a product: it disappears from reads, lists and updates', async () => {
    const word = uniqueWord();
    const product = await catalog.createProduct({ name: `Doomed ${word}` });
    const res = await catalog.request('DELETE', `/catalog/products/${product.id}`, {
      token: catalog.adminToken,
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await catalog.request('GET', `/catalog/products/${product.id}`)).status).toBe(404);
    expect((await catalog.request('GET', `/catalog/products?q=${word}`)).body).toEqual([]);
    const patch = await catalog.request('PATCH', `/catalog/products/${product.id}`, {
      token: catalog.adminToken,
      body: { stock: 1 },
    });
    expect(patch.status).toBe(404);
    const again = await catalog.request('DELETE', `/catalog/products/${product.id}`, {
      token: catalog.adminToken,
    });
    expect(again.status).toBe(404);
  });

  it('answers unknown ids with 404 and non-UUID ids with 422', async () => {
    expect((await catalog.request('GET', `/catalog/products/${randomUUID()}`)).status).toBe(404);
    for (const id of ['123', 'not-a-uuid', "1' OR '1'='1", '00000000-0000-0000-0000-00000000000g']) {
      const path = `/catalog/products/${encodeURIComponent(id)}`;
      expect((await catalog.request('GET', path)).status).toBe(422);
      expect(
        (await catalog.request('PATCH', path, { token: catalog.adminToken, body: { stock: 1 } })).status,
      ).toBe(422);
      expect((await catalog.request('DELETE', path, { token: catalog.adminToken })).status).toBe(422);
    }
  });
});

describe('product list', () => {
  it('pages with limit and offset and reports the total in X-Total-Count', async () => {
    const word = uniqueWord();
    for (let i = 0; i < 5; i++) await catalog.createProduct({ name: `Paged ${i} ${word}` });
    const first = await catalog.request('GET', `/catalog/products?q=${word}&limit=2&sort=name`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-total-count')).toBe('5');
    expect(first.body.map((p: { name: string }) => p.name)).toEqual([`Paged 0 ${word}`, `Paged 1 ${word}`]);
    const last = await catalog.request('GET', `/catalog/products?q=${word}&limit=2&offset=4&sort=name`);
    expect(last.body.map((p: { name: string }) => p.name)).toEqual([`Paged 4 ${word}`]);
    const beyond = await catalog.request('GET', `/catalog/products?q=${word}&offset=10`);
    expect(beyond.body).toEqual([]);
    expect(beyond.headers.get('x-total-count')).toBe('5');
  });

  it('returns 20 products by default and rejects a limit above 100 or below 1', async () => {
    const all = await catalog.request('GET', '/catalog/products');
    expect(all.status).toBe(200);
    expect(all.body.length).toBeLessThanOrEqual(20);
    for (const query of [
      'limit=101',
      'limit=0',
      'limit=-1',
      'limit=abc',
      'offset=-1',
      'sort=stock',
      'sort=name;DROP',
    ]) {
      const res = await catalog.request('GET', `/catalog/products?${query}`);
      expect(res.status, query).toBe(422);
    }
    expect((await catalog.request('GET', '/catalog/products?limit=100')).status).toBe(200);
  });

  it('searches name and description, case-insensitively', async () => {
    const word = uniqueWord();
    const byName = await catalog.createProduct({
      name: `Teapot ${word.toUpperCase()}`,
      description: 'cast iron',
    });
    const byDescription = await catalog.createProduct({ name: 'Kettle', description: `pairs with ${word}` });
    await catalog.createProduct({ name: 'Unrelated mug', description: 'ceramic' });
    const res = await catalog.request('GET', `/catalog/products?q=${word}&sort=name`);
    expect(res.body.map((p: { id: string }) => p.id)).toEqual([byDescription.id, byName.id]);
    expect(res.headers.get('x-total-count')).toBe('2');
  });

  it('treats LIKE wildcards in the search text literally', async () => {
    const word = uniqueWord();
    const literal = await catalog.createProduct({ name: `${word} 100% cotton_shirt` });
    await catalog.createProduct({ name: `${word} 100 cotton shirt` });
    const percent = await catalog.request('GET', `/catalog/products?q=${encodeURIComponent(`${word} 100%`)}`);
    expect(percent.body.map((p: { id: string }) => p.id)).toEqual([literal.id]);
    const underscore = await catalog.request(
      'GET',
      `/catalog/products?q=${encodeURIComponent('cotton_shirt')}`,
    );
    expect(underscore.body.map((p: { id: string }) => p.id)).toContain(literal.id);
    expect(underscore.body.every((p: { name: string }) => p.name.includes('cotton_shirt'))).toBe(true);
  });

  it('treats SQL-looking input as data', async () => {
    const injected = await catalog.request(
      'GET',
      `/catalog/products?q=${encodeURIComponent("'; DROP TABLE products; --")}`,
    );
    expect(injected.status).toBe(200);
    expect(injected.body).toEqual([]);
    expect(injected.headers.get('x-total-count')).toBe('0');
    const always = await catalog.request('GET', `/catalog/products?q=${encodeURIComponent("' OR '1'='1")}`);
    expect(always.body).toEqual([]);

    const name = "Robert'); DROP TABLE products;--";
    const product = await catalog.createProduct({ name, description: '%_\\' });
    const read = await catalog.request('GET', `/catalog/products/${product.id}`);
    expect(read.body).toMatchObject({ name, description: '%_\\' });
    expect((await catalog.request('GET', '/catalog/products')).status).toBe(200);
  });

  it('sorts by name, price and creation time in both directions', async () => {
    const word = uniqueWord();
    const b = await catalog.createProduct({ name: `Bravo ${word}`, price: '30.00' });
    const a = await catalog.createProduct({ name: `alpha ${word}`, price: '20.00' });
    const c = await catalog.createProduct({ name: `Charlie ${word}`, price: '10.00' });
    const ids = async (sort: string) =>
      (await catalog.request('GET', `/catalog/products?q=${word}&sort=${sort}`)).body.map(
        (p: { id: string }) => p.id,
      );
    expect(await ids('name')).toEqual([a.id, b.id, c.id]);
    expect(await ids('-name')).toEqual([c.id, b.id, a.id]);
    expect(await ids('price')).toEqual([c.id, a.id, b.id]);
    expect(await ids('-price')).toEqual([b.id, a.id, c.id]);
    expect(await ids('created_at')).toEqual([b.id, a.id, c.id]);
    expect(await ids('-created_at')).toEqual([c.id, a.id, b.id]);
  });
});

describe('product lookup', () => {
  it('returns current products for the given ids, leaving out unknown and deleted ones', async () => {
    const first = await catalog.createProduct({ price: '3.50' });
    const second = await catalog.createProduct({ price: '4.25' });
    const deleted = await catalog.createProduct();
    await catalog.request('DELETE', `/catalog/products/${deleted.id}`, { token: catalog.adminToken });
    const res = await catalog.request('POST', '/catalog/products/lookup', {
      body: { ids: [second.id, randomUUID(), first.id, deleted.id, second.id] },
    });
    expect(res.status).toBe(200);
    expect(res.body.map((p: { id: string; price: string }) => [p.id, p.price])).toEqual([
      [second.id, '4.25'],
      [first.id, '3.50'],
    ]);
  });

  it('declares lookups as fresh for a second, as the product reads they repeat', async () => {
    const product = await catalog.createProduct();
    const lookup = await catalog.request('POST', '/catalog/products/lookup', {
      body: { ids: [product.id, randomUUID()] },
    });
    const read = await catalog.request('GET', `/catalog/products/${product.id}`);
    expect(lookup.headers.get('cache-control')).toBe('public, max-age=1');
    expect(read.headers.get('cache-control')).toBe('public, max-age=1');
    // Not found is not a read a shared cache may keep.
    const unknown = await catalog.request('GET', `/catalog/products/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('cache-control') ?? '').not.toContain('public');
  });

  it('rejects bad lookups with 422', async () => {
    for (const body of [{}, { ids: [] }, { ids: ['nope'] }, { ids: [randomUUID()], extra: 1 }]) {
      const res = await catalog.request('POST', '/catalog/products/lookup', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    const tooMany = Array.from({ length: 101 }, () => randomUUID());
    expect(
      (await catalog.request('POST', '/catalog/products/lookup', { body: { ids: tooMany } })).status,
    ).toBe(422);
  });
});

describe('service endpoints', () => {
  it('serves health, readiness and an OpenAPI document listing every catalog route', async () => {
    expect((await catalog.app.management.inject({ url: '/healthz' })).statusCode).toBe(200);
    const ready = await catalog.app.management.inject({ url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { db: 'ok' } });
    const doc = await catalog.request('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/catalog/products',
      '/catalog/products/lookup',
      '/catalog/products/{id}',
      '/catalog/reservations',
      '/catalog/reservations/{order_id}',
      '/catalog/reservations/{order_id}/commit',
      '/catalog/reservations/{order_id}/release',
    ]);
  });
});
