// Cart use cases: add, change, remove and read the lines of one user's cart. Products, prices
// and stock come from Catalog, never from the client, and are at most as old as Catalog declared
// them fresh (its max-age, one second): the cart shows what a product page shows, while the
// order's prices and stock come from Catalog's reservation at checkout, which is never cached.
// Product ids are kept in lower case, as Catalog reports them, whatever case the client used.
import { Conflict, NotFound, ValidationFailed } from '@minishop/kit/errors';
import { formatMoney } from '@minishop/kit/money';
import type { CartRepository } from '../data/cart.repository.ts';
import type { Product, ProductCatalog } from '../data/catalog.client.ts';

/** Units one cart line may hold. */
export const MAX_QUANTITY_PER_LINE = 99;
/** Different products one cart may hold. */
export const MAX_LINES = 50;

export interface CartDeps {
  carts: CartRepository;
  catalog: ProductCatalog;
}

export interface CartItemView {
  product_id: string;
  name: string;
  unit_price: string;
  quantity: number;
  line_total: string;
}

export interface CartView {
  user_id: string;
  items: CartItemView[];
  total_price: string;
  currency: 'USD';
}

async function existingProduct(deps: CartDeps, productId: string, requestId?: string): Promise<Product> {
  const product = await deps.catalog.product(productId.toLowerCase(), requestId);
  if (!product) throw new NotFound('product', { product_id: productId });
  return product;
}

function outOfStock(product: Product, requested: number): Conflict {
  return new Conflict(`only ${product.stock} of ${product.name} in stock`, {
    product_id: product.id,
    available: product.stock,
    requested,
  });
}

/** Adds quantity to the product's line (creating it); returns the line's new quantity. */
export async function addItem(
  deps: CartDeps,
  userId: string,
  productId: string,
  quantity: number,
  requestId?: string,
): Promise<{ product: Product; quantity: number }> {
  const product = await existingProduct(deps, productId, requestId);
  const outcome = await deps.carts.add(userId, product.id, quantity, product.stock);
  if (outcome.ok) return { product, quantity: outcome.quantity };
  switch (outcome.reason) {
    case 'line_limit':
      throw new ValidationFailed(`a cart line holds at most ${MAX_QUANTITY_PER_LINE} units`, [
        {
          field: 'body.quantity',
          message: `the cart already holds ${outcome.current}; at most ${MAX_QUANTITY_PER_LINE - outcome.current} more can be added`,
        },
      ]);
    case 'above_stock':
      throw outOfStock(product, outcome.current + quantity);
    case 'cart_full':
      throw new Conflict(`a cart holds at most ${MAX_LINES} different products`, { max_lines: MAX_LINES });
  }
}

/** Replaces the quantity of a line that is already in the cart. */
export async function setQuantity(
  deps: CartDeps,
  userId: string,
  productId: string,
  quantity: number,
  requestId?: string,
): Promise<Product> {
  const id = productId.toLowerCase();
  if (!(await deps.carts.hasLine(userId, id))) {
    throw new NotFound('cart line', { product_id: productId });
  }
  const product = await existingProduct(deps, id, requestId);
  if (quantity > product.stock) throw outOfStock(product, quantity);
  const outcome = await deps.carts.set(userId, id, quantity);
  // The line may have been removed by a concurrent request between the check and the write.
  if (!outcome.ok) throw new NotFound('cart line', { product_id: productId });
  return product;
}

export async function removeItem(deps: CartDeps, userId: string, productId: string): Promise<void> {
  if (!(await deps.carts.remove(userId, productId.toLowerCase()))) {
    throw new NotFound('cart line', { product_id: productId });
  }
}

export async function clearCart(deps: CartDeps, userId: string): Promise<void> {
  await deps.carts.clear(userId);
}

/**
 * The cart with Catalog's names and prices. Lines whose product was deleted from the catalog are
 * dropped from the cart once Catalog says so (up to its max-age after the deletion): they can
 * never be bought, and leaving them would make totals lie.
 */
export async function viewCart(deps: CartDeps, userId: string, requestId?: string): Promise<CartView> {
  const lines = await deps.carts.lines(userId);
  const products = await deps.catalog.products(
    lines.map((line) => line.productId),
    requestId,
  );
  const gone = lines.filter((line) => !products.has(line.productId)).map((line) => line.productId);
  await deps.carts.removeMany(userId, gone);

  let totalCents = 0;
  const items: CartItemView[] = [];
  for (const line of lines) {
    const product = products.get(line.productId);
    if (!product) continue;
    const lineCents = product.priceCents * line.quantity;
    totalCents += lineCents;
    items.push({
      product_id: line.productId,
      name: product.name,
      unit_price: formatMoney(product.priceCents),
      quantity: line.quantity,
      line_total: formatMoney(lineCents),
    });
  }
  items.sort((a, b) => a.name.localeCompare(b.name) || a.product_id.localeCompare(b.product_id));
  return { user_id: userId, items, total_price: formatMoney(totalCents), currency: 'USD' };
}
