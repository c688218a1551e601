// SQL for products. Returns plain rows with money in cents; deleted products are invisible here
// except where a reservation needs them (lockProducts).
import { prepared, type Queryable } from '@minishop/kit/db';

export interface ProductRow {
  id: string;
  name: string;
  description: string;
  price_cents: number;
  currency: 'USD';
  stock: number;
  created_at: Date;
  updated_at: Date;
}

export type ProductSort = 'name' | '-name' | 'price' | '-price' | 'created_at' | '-created_at';

// The only strings ever placed into ORDER BY: the sort parameter picks one of these.
const ORDER_BY: Record<ProductSort, string> = {
  name: 'lower(name) ASC, id ASC',
  '-name': 'lower(name) DESC, id DESC',
  price: 'price_cents ASC, id ASC',
  '-price': 'price_cents DESC, id DESC',
  created_at: 'created_at ASC, id ASC',
  '-created_at': 'created_at DESC, id DESC',
};

const COLUMNS = 'id, name, description, price_cents, currency, stock, created_at, updated_at';

interface RawProduct extends Omit<ProductRow, 'price_cents'> {
  price_cents: string;
}

function toRow(raw: RawProduct): ProductRow {
  return { ...raw, price_cents: Number(raw.price_cents) };
}

export interface NewProduct {
  name: string;
  description: string;
  price_cents: number;
  stock: number;
}

export async function insertProduct(db: Queryable, product: NewProduct): Promise<ProductRow> {
  const { rows } = await db.query<RawProduct>(
    `INSERT INTO products (name, description, price_cents, stock) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [product.name, product.description, product.price_cents, product.stock],
  );
  return toRow(rows[0]!);
}

export async function findProduct(db: Queryable, id: string): Promise<ProductRow | null> {
  const { rows } = await db.query<RawProduct>(
    prepared(`SELECT ${COLUMNS} FROM products WHERE id = $1 AND deleted_at IS NULL`, [id]),
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function findProducts(db: Queryable, ids: string[]): Promise<ProductRow[]> {
  const { rows } = await db.query<RawProduct>(
    prepared(`SELECT ${COLUMNS} FROM products WHERE id = ANY($1::uuid[]) AND deleted_at IS NULL`, [ids]),
  );
  return rows.map(toRow);
}

/** Escapes LIKE wildcards so the search text matches literally. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface ProductQuery {
  limit: number;
  offset: number;
  q?: string;
  sort: ProductSort;
}

export async function listProducts(
  db: Queryable,
  query: ProductQuery,
): Promise<{ rows: ProductRow[]; total: number }> {
  const where = ['deleted_at IS NULL'];
  const params: unknown[] = [];
  if (query.q) {
    params.push(likePattern(query.q));
    where.push(
      `(name ILIKE $${params.length} ESCAPE '\\' OR description ILIKE $${params.length} ESCAPE '\\')`,
    );
  }
  const filter = where.join(' AND ');
  const [page, count] = await Promise.all([
    db.query<RawProduct>(
      `SELECT ${COLUMNS} FROM products WHERE ${filter} ORDER BY ${ORDER_BY[query.sort]}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset],
    ),
    db.query<{ total: string }>(`SELECT count(*) AS total FROM products WHERE ${filter}`, params),
  ]);
  return { rows: page.rows.map(toRow), total: Number(count.rows[0]?.total ?? 0) };
}

export interface ProductChanges {
  name?: string;
  description?: string;
  price_cents?: number;
  stock?: number;
}

export async function updateProduct(
  db: Queryable,
  id: string,
  changes: ProductChanges,
): Promise<ProductRow | null> {
  const { rows } = await db.query<RawProduct>(
    `UPDATE products SET
       name = COALESCE($2, name),
       description = COALESCE($3, description),
       price_cents = COALESCE($4, price_cents),
       stock = COALESCE($5, stock),
       updated_at = now()
     WHERE id = $1 AND deleted_at IS NULL
     RETURNING ${COLUMNS}`,
    [
      id,
      changes.name ?? null,
      changes.description ?? null,
      changes.price_cents ?? null,
      changes.stock ?? null,
    ],
  );
  return rows[0] ? toRow(rows[0]) : null;
}

export async function softDeleteProduct(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE products SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  return rowCount === 1;
}

export interface LockedProduct {
  id: string;
  name: string;
  price_cents: number;
  stock: number;
  deleted: boolean;
}

/**
 * Locks the products' rows in id order (every writer of several products locks in this order,
 * so two transactions never wait on each other in a cycle). Deleted products are included.
 */
export async function lockProducts(db: Queryable, ids: string[]): Promise<Map<string, LockedProduct>> {
  const { rows } = await db.query<{
    id: string;
    name: string;
    price_cents: string;
    stock: number;
    deleted: boolean;
  }>(
    `SELECT id, name, price_cents, stock, deleted_at IS NOT NULL AS deleted
     FROM products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, { ...r, price_cents: Number(r.price_cents) }]));
}

export interface StockChange {
  product_id: string;
  quantity: number;
}

/** Takes units from stock, never below zero; returns how many products had enough. */
export async function takeStock(db: Queryable, items: StockChange[]): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE products p SET stock = p.stock - r.quantity
     FROM unnest($1::uuid[], $2::int[]) AS r(product_id, quantity)
     WHERE p.id = r.product_id AND p.stock >= r.quantity`,
    [items.map((i) => i.product_id), items.map((i) => i.quantity)],
  );
  return rowCount ?? 0;
}

export async function returnStock(db: Queryable, items: StockChange[]): Promise<void> {
  await db.query(
    `UPDATE products p SET stock = p.stock + r.quantity
     FROM unnest($1::uuid[], $2::int[]) AS r(product_id, quantity)
     WHERE p.id = r.product_id`,
    [items.map((i) => i.product_id), items.map((i) => i.quantity)],
  );
}
