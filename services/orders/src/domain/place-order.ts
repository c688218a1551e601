// Placing an order from the cart, with an optional Idempotency-Key: a replay returns the same
// order (or the same refusal), and a request that died is carried on by the next one.
import { createHash, randomUUID } from 'node:crypto';
import { Conflict, ValidationFailed, DomainError } from '@minishop/kit/errors';
import * as orders from '../data/orders.repository.ts';
import * as keys from '../data/idempotency.repository.ts';
import type { OrderRow, ShippingAddress } from '../data/orders.repository.ts';
import { driveOrder, type SagaDeps } from './checkout-saga.ts';

export interface Customer {
  id: string;
  email: string;
  role: 'customer' | 'admin' | 'service';
}

export interface PlaceOrderInput {
  shipping_address: ShippingAddress;
  payment_method?: string;
}

export const DEFAULT_PAYMENT_METHOD = 'pm_card_visa';
/** How long a replay waits for the original request to finish before answering with the order as it is. */
const REPLAY_WAIT_MS = 25_000;

function requestHash(input: PlaceOrderInput): string {
  const canonical = JSON.stringify({
    shipping_address: Object.fromEntries(Object.entries(input.shipping_address).sort()),
    payment_method: input.payment_method ?? DEFAULT_PAYMENT_METHOD,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Placed {
  order: OrderRow;
  replayed: boolean;
}

/** Thrown for a stored outcome of an earlier request with the same key (e.g. out of stock). */
class StoredOutcome extends DomainError {}

export async function placeOrder(
  deps: SagaDeps,
  customer: Customer,
  input: PlaceOrderInput,
  idempotencyKey: string | undefined,
): Promise<Placed> {
  if (!idempotencyKey)
    return { order: await checkout(deps, customer, input, randomUUID(), undefined), replayed: false };
  const hash = requestHash(input);
  const lockMs = deps.leaseMs;
  const claim = await keys.claimKey(deps.pool, {
    userId: customer.id,
    key: idempotencyKey,
    hash,
    orderId: randomUUID(),
    lockMs,
  });
  if (!claim) {
    const key = (await keys.findKey(deps.pool, customer.id, idempotencyKey))!;
    return { order: await checkout(deps, customer, input, key.order_id, idempotencyKey), replayed: false };
  }
  if (claim.request_hash !== hash) {
    throw new ValidationFailed('Idempotency-Key was already used with a different request body', [
      { field: 'headers.idempotency-key', message: 'reused with a different body' },
    ]);
  }
  const deadline = Date.now() + REPLAY_WAIT_MS;
  for (;;) {
    const key = (await keys.findKey(deps.pool, customer.id, idempotencyKey))!;
    if (key.response_status !== null) {
      const body = key.response_body ?? {};
      throw new StoredOutcome(
        key.response_status === 409 ? 'conflict' : 'validation',
        String(body.detail ?? ''),
        body,
      );
    }
    const order = await orders.findOrder(deps.pool, key.order_id);
    const busy = order && order.lease_until !== null && order.lease_until.getTime() > Date.now();
    if (order && (!busy || Date.now() > deadline)) return { order, replayed: true };
    if (!order && key.expired && (await keys.takeOverKey(deps.pool, customer.id, idempotencyKey, lockMs))) {
      // The first request died before its order existed: carry on in its place.
      return { order: await checkout(deps, customer, input, key.order_id, idempotencyKey), replayed: false };
    }
    if (Date.now() > deadline) throw new Conflict('a request with this Idempotency-Key is still in progress');
    await sleep(50);
  }
}

async function checkout(
  deps: SagaDeps,
  customer: Customer,
  input: PlaceOrderInput,
  orderId: string,
  idempotencyKey: string | undefined,
): Promise<OrderRow> {
  try {
    const existing = await orders.findOrder(deps.pool, orderId);
    if (!existing) {
      const lines = await deps.upstreams.readCart(customer.id);
      if (lines.length === 0) throw new Conflict('your cart is empty');
      await orders.insertOrder(deps.pool, {
        id: orderId,
        user_id: customer.id,
        email: customer.email,
        shipping_address: input.shipping_address,
        payment_method: input.payment_method ?? DEFAULT_PAYMENT_METHOD,
        lines,
        leaseMs: deps.leaseMs,
      });
      await driveOrder(deps, orderId, { leaseHeld: true, answering: true });
    } else {
      await driveOrder(deps, orderId, { answering: true });
    }
    const order = await orders.findOrder(deps.pool, orderId);
    if (!order) throw new Conflict('this order could not be placed; try again');
    return order;
  } catch (err) {
    if (idempotencyKey && err instanceof Conflict) {
      await keys.storeKeyResponse(deps.pool, customer.id, idempotencyKey, 409, {
        detail: err.message,
        ...err.details,
      });
    }
    throw err;
  }
}
