// Product use cases: admins create, change and delete products; everyone reads them.
// Prices arrive as "19.99" or 19.99 and are kept as integer cents.
import { NotFound, ValidationFailed } from '@minishop/kit/errors';
import { formatMoney, parseMoney } from '@minishop/kit/money';
import * as products from '../data/products.repository.ts';
import type { ProductQuery, ProductRow } from '../data/products.repository.ts';
import type { CatalogContext } from './context.ts';

export interface ProductView {
  id: string;
  name: string;
  description: string;
  price: string;
  currency: 'USD';
  stock: number;
  created_at: string;
  updated_at: string;
}

export interface CreateProductInput {
  name: string;
  description?: string;
  price: string | number;
  stock?: number;
}

export type UpdateProductInput = Partial<CreateProductInput>;

function view(row: ProductRow): ProductView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: formatMoney(row.price_cents),
    currency: row.currency,
    stock: row.stock,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function priceInCents(price: string | number): number {
  const cents = parseMoney(price);
  if (cents === null) {
    throw new ValidationFailed('price is invalid', [
      { field: 'body.price', message: 'must be a non-negative amount with at most two decimals' },
    ]);
  }
  return cents;
}

export async function createProduct(ctx: CatalogContext, input: CreateProductInput): Promise<ProductView> {
  const row = await products.insertProduct(ctx.pool, {
    name: input.name,
    description: input.description ?? '',
    price_cents: priceInCents(input.price),
    stock: input.stock ?? 0,
  });
  return view(row);
}

export async function getProduct(ctx: CatalogContext, id: string): Promise<ProductView> {
  const row = await products.findProduct(ctx.pool, id);
  if (!row) throw new NotFound('product');
  return view(row);
}

export async function listProducts(
  ctx: CatalogContext,
  query: ProductQuery,
): Promise<{ items: ProductView[]; total: number }> {
  const { rows, total } = await products.listProducts(ctx.pool, query);
  return { items: rows.map(view), total };
}

/** Products by id in the order asked for; unknown and deleted ids are left out. */
export async function lookupProducts(ctx: CatalogContext, ids: string[]): Promise<ProductView[]> {
  const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found = new Map((await products.findProducts(ctx.pool, unique)).map((row) => [row.id, view(row)]));
  return unique.flatMap((id) => found.get(id) ?? []);
}

export async function updateProduct(
  ctx: CatalogContext,
  id: string,
  input: UpdateProductInput,
): Promise<ProductView> {
  const row = await products.updateProduct(ctx.pool, id, {
    name: input.name,
    description: input.description,
    price_cents: input.price === undefined ? undefined : priceInCents(input.price),
    stock: input.stock,
  });
  if (!row) throw new NotFound('product');
  return view(row);
}

/**
 * Hides the product from every read and from new reservations. The row stays, so reservations
 * already holding it can still be committed or released.
 */
export async function deleteProduct(ctx: CatalogContext, id: string): Promise<void> {
  if (!(await products.softDeleteProduct(ctx.pool, id))) throw new NotFound('product');
}
