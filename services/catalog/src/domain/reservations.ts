// Stock reservations for checkout. Orders reserves every item of an order or none, then commits
// the reservation when the payment succeeds or releases it when it fails; abandoned reservations
// expire (see reservation-sweeper.ts). Every step is keyed by the order id and safe to repeat.
import { Conflict, NotFound, ValidationFailed } from '@minishop/kit/errors';
import { withTransaction, type PoolClient } from '@minishop/kit/db';
import { formatMoney } from '@minishop/kit/money';
import * as products from '../data/products.repository.ts';
import type { LockedProduct } from '../data/products.repository.ts';
import * as reservations from '../data/reservations.repository.ts';
import type { ReservationRow, ReservationStatus } from '../data/reservations.repository.ts';
import type { CatalogContext } from './context.ts';

export interface ReserveInput {
  order_id: string;
  items: { product_id: string; quantity: number }[];
}

export interface ReservationView {
  order_id: string;
  status: ReservationStatus;
  items: { product_id: string; name: string; unit_price: string; quantity: number }[];
  total_price: string;
  currency: 'USD';
  expires_at: string;
  created_at: string;
  updated_at: string;
}

export interface ShortItem {
  product_id: string;
  requested: number;
  available: number;
}

function view(row: ReservationRow): ReservationView {
  return {
    order_id: row.order_id,
    status: row.status,
    items: row.items.map((i) => ({
      product_id: i.product_id,
      name: i.name,
      unit_price: formatMoney(i.unit_price_cents),
      quantity: i.quantity,
    })),
    total_price: formatMoney(row.items.reduce((sum, i) => sum + i.unit_price_cents * i.quantity, 0)),
    currency: 'USD',
    expires_at: row.expires_at.toISOString(),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function outOfStock(short: ShortItem[]): Conflict {
  return new Conflict(`not enough stock for ${short.length} item(s)`, { short });
}

/** Normalised items: ids lowercased and sorted, so that rows are always locked in the same order. */
function normalise(input: ReserveInput): { product_id: string; quantity: number }[] {
  const items = input.items
    .map((i) => ({ product_id: i.product_id.toLowerCase(), quantity: i.quantity }))
    .sort((a, b) => (a.product_id < b.product_id ? -1 : a.product_id > b.product_id ? 1 : 0));
  const duplicates = items.filter(
    (item, index) => index > 0 && items[index - 1]!.product_id === item.product_id,
  );
  if (duplicates.length > 0) {
    throw new ValidationFailed('each product may appear once per reservation', [
      { field: 'body.items', message: `duplicate product_id ${duplicates[0]!.product_id}` },
    ]);
  }
  return items;
}

function sameItems(row: ReservationRow, items: { product_id: string; quantity: number }[]): boolean {
  return (
    row.items.length === items.length &&
    row.items.every(
      (held, i) => held.product_id === items[i]!.product_id && held.quantity === items[i]!.quantity,
    )
  );
}

/**
 * Takes the items' units from stock, all or none; throws Conflict naming the short items.
 * Product rows are locked in id order first so concurrent reservations queue instead of deadlocking.
 */
async function takeAll(client: PoolClient, items: { product_id: string; quantity: number }[]) {
  const locked = await products.lockProducts(
    client,
    items.map((i) => i.product_id),
  );
  const short: ShortItem[] = [];
  for (const item of items) {
    const product = locked.get(item.product_id);
    const available = product && !product.deleted ? product.stock : 0;
    if (available < item.quantity)
      short.push({ product_id: item.product_id, requested: item.quantity, available });
  }
  if (short.length > 0) throw outOfStock(short);
  // The rows are locked and checked, but the update stays conditional so stock can never go negative.
  if ((await products.takeStock(client, items)) !== items.length)
    throw new Conflict('stock changed while reserving');
  return locked;
}

async function giveBack(client: PoolClient, row: ReservationRow): Promise<void> {
  await products.lockProducts(
    client,
    row.items.map((i) => i.product_id),
  );
  await products.returnStock(client, row.items);
}

/** The items that are short, given the products as they stood (absent or deleted ones have none). */
function shortOf(items: { product_id: string; quantity: number }[], locked: LockedProduct[]): ShortItem[] {
  const byId = new Map(locked.map((p) => [p.id, p]));
  return items.flatMap((item) => {
    const product = byId.get(item.product_id);
    const available = product && !product.deleted ? product.stock : 0;
    return available < item.quantity
      ? [{ product_id: item.product_id, requested: item.quantity, available }]
      : [];
  });
}

/**
 * Reserves every item of the order or none. Repeating the call with the same items returns the
 * existing reservation (created: false); a released or expired one is taken from stock again
 * (the order's payment is retried). Different items are rejected.
 */
export async function reserveStock(
  ctx: CatalogContext,
  input: ReserveInput,
): Promise<{ created: boolean; reservation: ReservationView }> {
  const items = normalise(input);
  const orderId = input.order_id.toLowerCase();
  // The usual case, a new reservation with every item in stock, is one statement.
  const fresh = await reservations.reserveNew(ctx.pool, orderId, ctx.config.RESERVATION_TTL_SECONDS, items);
  if (fresh.header) {
    const byId = new Map(fresh.products.map((p) => [p.id, p]));
    const held = items.map((item) => {
      const product = byId.get(item.product_id)!;
      return { ...item, name: product.name, unit_price_cents: Number(product.price_cents) };
    });
    return { created: true, reservation: view({ ...fresh.header, items: held }) };
  }
  return withTransaction(ctx.pool, async (client) => {
    // Locked: a concurrent repeat must see the status this one leaves behind.
    const existing = await reservations.findReservation(client, orderId, { lock: true });
    if (!existing) {
      // Nothing was written and the order has no reservation (none is ever deleted): items are short.
      const short = shortOf(items, fresh.products);
      throw short.length > 0 ? outOfStock(short) : new Conflict('stock changed while reserving');
    }
    if (!sameItems(existing, items)) {
      throw new ValidationFailed('this order already has a reservation with different items', [
        { field: 'body.items', message: 'differs from the existing reservation of this order' },
      ]);
    }
    if (existing.status === 'released' || existing.status === 'expired') {
      // The order pays again (a retried payment): its units must be taken from stock again.
      await takeAll(client, items);
      const renewed = await reservations.reactivate(client, orderId, ctx.config.RESERVATION_TTL_SECONDS);
      return { created: false, reservation: view({ ...existing, ...renewed }) };
    }
    return { created: false, reservation: view(existing) };
  });
}

export async function getReservation(ctx: CatalogContext, orderId: string): Promise<ReservationView> {
  const row = await reservations.findReservation(ctx.pool, orderId.toLowerCase());
  if (!row) throw new NotFound('reservation');
  return view(row);
}

/**
 * Makes the reservation final (the units are sold). Idempotent. A reservation that already
 * expired is committed only if its units can be taken from stock again.
 */
export async function commitReservation(ctx: CatalogContext, orderId: string): Promise<ReservationView> {
  const id = orderId.toLowerCase();
  // The usual case, a reservation still holding its units, is one statement.
  const committed = await reservations.commitHeld(ctx.pool, id);
  if (committed) return view(committed);
  return withTransaction(ctx.pool, async (client) => {
    const row = await reservations.findReservation(client, id, { lock: true });
    if (!row) throw new NotFound('reservation');
    switch (row.status) {
      case 'committed':
        return view(row);
      case 'released':
        throw new Conflict('reservation was released and cannot be committed');
      case 'expired':
        await takeAll(client, row.items);
        break;
      case 'reserved':
        break;
    }
    return view({ ...row, ...(await reservations.setStatus(client, row.order_id, 'committed')) });
  });
}

/**
 * Gives the units back to stock. Idempotent: releasing a released or expired reservation changes
 * nothing. Releasing a committed one returns sold units (the order was cancelled and refunded).
 */
export async function releaseReservation(ctx: CatalogContext, orderId: string): Promise<ReservationView> {
  return withTransaction(ctx.pool, async (client) => {
    const row = await reservations.findReservation(client, orderId.toLowerCase(), { lock: true });
    if (!row) throw new NotFound('reservation');
    switch (row.status) {
      case 'released':
      case 'expired':
        return view(row);
      case 'committed':
      case 'reserved':
        await giveBack(client, row);
        return view({ ...row, ...(await reservations.setStatus(client, row.order_id, 'released')) });
    }
  });
}
