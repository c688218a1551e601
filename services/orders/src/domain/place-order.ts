// Use cases on orders: place one from the cart (with an optional Idempotency-Key), read,
// cancel, retry a failed payment, and apply shipment events from Shipping.
import { createHash, randomUUID } from 'node:crypto';
import { Conflict, NotFound, ValidationFailed, DomainError } from '@minishop/kit/errors';
import { withTransaction } from '@minishop/kit/db';
import * as orders from '../data/orders.repository.ts';
import type { OrderRow, ShippingAddress } from '../data/orders.repository.ts';
import { announce, driveOrder, type SagaDeps } from './checkout-saga.ts';

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
  const claim = await orders.claimKey(deps.pool, {
    userId: customer.id,
    key: idempotencyKey,
    hash,
    orderId: randomUUID(),
    lockMs,
  });
  if (!claim) {
    const key = (await orders.findKey(deps.pool, customer.id, idempotencyKey))!;
    return { order: await checkout(deps, customer, input, key.order_id, idempotencyKey), replayed: false };
  }
  if (claim.request_hash !== hash) {
    throw new ValidationFailed('Idempotency-Key was already used with a different request body', [
      { field: 'headers.idempotency-key', message: 'reused with a different body' },
    ]);
  }
  const deadline = Date.now() + REPLAY_WAIT_MS;
  for (;;) {
    const key = (await orders.findKey(deps.pool, customer.id, idempotencyKey))!;
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
    if (!order && key.expired && (await orders.takeOverKey(deps.pool, customer.id, idempotencyKey, lockMs))) {
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
      await orders.storeKeyResponse(deps.pool, customer.id, idempotencyKey, 409, {
        detail: err.message,
        ...err.details,
      });
    }
    throw err;
  }
}

export async function getOrder(deps: Pick<SagaDeps, 'pool'>, customer: Customer, id: string) {
  const order = await orders.findOrder(deps.pool, id);
  if (!order || (customer.role !== 'admin' && order.user_id !== customer.id)) throw new NotFound('order');
  return { order, history: await orders.historyOf(deps.pool, id) };
}

export async function cancelOrder(deps: SagaDeps, customer: Customer, id: string): Promise<OrderRow> {
  const { order } = await getOrder(deps, customer, id);
  if (order.status === 'cancelled') return order;
  if (order.status === 'payment_failed' && order.saga_step === 'done') {
    await withTransaction(deps.pool, async (tx) => {
      if (await orders.advance(tx, id, 'done', 'done', { status: 'cancelled' })) {
        await orders.addHistory(tx, id, 'cancelled', 'cancelled by the customer');
      }
    });
  } else if (order.status === 'paid' && ['done', 'clearing'].includes(order.saga_step)) {
    const moved = await orders.advance(deps.pool, id, ['done', 'clearing'], 'refunding', {
      attention: null,
    });
    if (moved) await driveOrder(deps, id);
    const after = (await orders.findOrder(deps.pool, id))!;
    if (after.status === 'paid' && after.saga_step === 'done') {
      throw new Conflict('the order has already shipped and can no longer be cancelled');
    }
    return after;
  } else if (order.status === 'pending') {
    throw new Conflict('the checkout of this order is still in progress; try again in a moment');
  } else {
    throw new Conflict(`an order that is ${order.status} can no longer be cancelled`);
  }
  return (await orders.findOrder(deps.pool, id))!;
}

export async function retryPayment(
  deps: SagaDeps,
  customer: Customer,
  id: string,
  paymentMethod: string | undefined,
): Promise<OrderRow> {
  const { order } = await getOrder(deps, customer, id);
  if (order.user_id !== customer.id) throw new NotFound('order');
  if (order.status !== 'payment_failed' || order.saga_step !== 'done') {
    throw new Conflict(`only an order whose payment failed can be paid again (this one is ${order.status})`);
  }
  const moved = await withTransaction(deps.pool, async (tx) => {
    const ok = await orders.advance(tx, id, 'done', 'reserving', {
      status: 'pending',
      attempt: order.attempt + 1,
      payment_method: paymentMethod ?? order.payment_method,
      payment_id: null,
      payment_error: null,
      leaseMs: deps.leaseMs,
    });
    return ok;
  });
  if (!moved) throw new Conflict('this order changed meanwhile; try again');
  await driveOrder(deps, id, { leaseHeld: true, answering: true });
  return (await orders.findOrder(deps.pool, id))!;
}

export interface ShipmentEvent {
  event_id: string;
  shipment_id: string;
  status: 'in_transit' | 'delivered';
}

/** Applies a shipment status change once; later statuses never move an order back. */
export async function applyShipmentEvent(
  deps: Pick<SagaDeps, 'pool'>,
  orderId: string,
  event: ShipmentEvent,
) {
  await withTransaction(deps.pool, async (tx) => {
    const order = await orders.findOrder(tx, orderId);
    if (!order) throw new NotFound('order');
    if (!(await orders.markShipmentEvent(tx, event.event_id, orderId))) return;
    const from = event.status === 'in_transit' ? (['paid'] as const) : (['paid', 'shipped'] as const);
    const to = event.status === 'in_transit' ? 'shipped' : 'delivered';
    if (!(await orders.setStatus(tx, orderId, [...from], to))) return;
    await orders.addHistory(tx, orderId, to, `shipment ${event.status.replace('_', ' ')}`);
    const fresh = (await orders.findOrder(tx, orderId))!;
    await announce(tx, fresh, to === 'shipped' ? 'Shipped' : 'Delivered', { shipment_id: event.shipment_id });
  });
}
