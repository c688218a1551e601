// The checkout saga (docs/design.md §5). Progress is stored on the order (saga_step) and every step is
// idempotent and keyed by the order id, so any worker can drive an order from where it stands:
// the request that placed it, or the resumer after a crash. Steps move by compare-and-set.
import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import { Conflict } from '@minishop/kit/errors';
import { withTransaction, type Pool, type PoolClient } from '@minishop/kit/db';
import { formatMoney, parseMoney } from '@minishop/kit/money';
import { UpstreamUnavailable } from '@minishop/kit/service-client';
import * as orders from '../data/orders.repository.ts';
import * as sagaState from '../data/saga.repository.ts';
import { enqueue } from '../data/outbox.repository.ts';
import type { OrderRow, SagaStep } from '../data/orders.repository.ts';
import { eventData } from './order-view.ts';
import type { Upstreams } from './upstreams.ts';

export interface SagaDeps {
  pool: Pool;
  upstreams: Upstreams;
  log: FastifyBaseLogger;
  leaseMs: number;
  paymentTimeoutMs: number;
  /** Counts checkouts by how they ended: paid, payment_failed or out_of_stock. */
  checkouts?: Counter<'outcome'>;
  /** Test-only crash point: the process dies right after this remote step succeeds. */
  crashAfter?: 'reserve' | 'charge' | 'shipment';
}

function crashPoint(deps: SagaDeps, point: NonNullable<SagaDeps['crashAfter']>): void {
  if (deps.crashAfter === point) process.kill(process.pid, 'SIGKILL');
}

/** Tries of one step after which an admin is told (the saga keeps trying). */
const ATTENTION_AFTER = 5;
/** Tries after which clearing the cart is given up: the order itself is complete. */
const CART_CLEAR_TRIES = 8;

export type EventType = 'OrderPlaced' | 'PaymentConfirmed' | 'PaymentFailed' | 'Shipped' | 'Delivered';

export async function announce(
  tx: PoolClient,
  order: OrderRow,
  type: EventType,
  extra: Record<string, unknown> = {},
  suffix = '',
): Promise<void> {
  await enqueue(tx, {
    event_id: `${order.id}:${type}${suffix}`,
    order_id: order.id,
    type,
    recipient: order.email,
    payload: eventData(order, extra),
  });
}

/** Moves the step (and status) and records history and an event in one transaction. */
async function transition(
  deps: SagaDeps,
  order: OrderRow,
  to: SagaStep,
  change: sagaState.StepChange & { reason?: string; event?: EventType; eventExtra?: Record<string, unknown> },
): Promise<boolean> {
  const { reason, event, eventExtra, ...stepChange } = change;
  const moved = await withTransaction(deps.pool, async (tx) => {
    if (!(await sagaState.advance(tx, order.id, order.saga_step, to, stepChange))) return false;
    if (stepChange.status && stepChange.status !== order.status) {
      await orders.addHistory(tx, order.id, stepChange.status, reason ?? null);
    }
    if (event) {
      const fresh = (await orders.findOrder(tx, order.id))!;
      await announce(tx, fresh, event, eventExtra, `:${fresh.attempt}`);
    }
    return true;
  });
  if (moved && (stepChange.status === 'paid' || stepChange.status === 'payment_failed')) {
    deps.checkouts?.inc({ outcome: stepChange.status });
  }
  return moved;
}

class RetryLater extends Error {}

export class OutOfStock extends Conflict {
  constructor(short: { product_id: string; requested: number; available: number }[]) {
    super('some items in your cart are out of stock', { short });
  }
}

/**
 * Runs one step; true when the saga moved and should go on. `answering` is set when a request
 * waits for the outcome (it can tell the buyer about missing stock itself).
 */
async function step(deps: SagaDeps, order: OrderRow, answering: boolean): Promise<boolean> {
  const { upstreams } = deps;
  switch (order.saga_step) {
    case 'reserving': {
      const lines = order.items.map((i) => ({ product_id: i.product_id, quantity: i.quantity }));
      const result = await upstreams.reserve(order.id, lines);
      crashPoint(deps, 'reserve');
      if (!result.ok) {
        deps.checkouts?.inc({ outcome: 'out_of_stock' });
        if (order.attempt === 1 && answering) {
          // Nothing was charged or announced, and the buyer is told now (409): the order never was.
          await orders.deleteUnreserved(deps.pool, order.id);
          throw new OutOfStock(result.short);
        }
        // The buyer may already have seen this order (a checkout resumed after a failure, or a
        // payment retry): it stays, with the reason.
        await transition(deps, order, 'done', {
          status: order.attempt === 1 ? 'cancelled' : 'payment_failed',
          reason: 'items went out of stock before they could be reserved',
          payment_error: 'some items are no longer in stock',
        });
        if (answering) throw new OutOfStock(result.short);
        return false;
      }
      return withTransaction(deps.pool, async (tx) => {
        if (order.attempt === 1) {
          await orders.setReservedPrices(
            tx,
            order.id,
            result.items.map((i) => ({
              product_id: i.product_id,
              name: i.name,
              unit_price_cents: parseMoney(i.unit_price)!,
            })),
          );
        }
        if (!(await sagaState.advance(tx, order.id, 'reserving', 'charging', { status: 'pending' })))
          return false;
        const fresh = (await orders.findOrder(tx, order.id))!;
        if (order.attempt === 1) {
          await orders.addHistory(tx, order.id, 'pending', 'order placed');
          await announce(tx, fresh, 'OrderPlaced');
        } else {
          await orders.addHistory(tx, order.id, 'pending', `payment attempt ${order.attempt}`);
        }
        return true;
      });
    }
    case 'charging': {
      await sagaState.renewLease(deps.pool, order.id, deps.leaseMs + deps.paymentTimeoutMs);
      const payment = await upstreams.charge({
        order_id: order.id,
        user_id: order.user_id,
        attempt: order.attempt,
        amount: formatMoney(order.total_cents),
        currency: order.currency,
        payment_method: order.payment_method,
      });
      crashPoint(deps, 'charge');
      if (payment.status === 'succeeded') {
        return transition(deps, order, 'committing', { payment_id: payment.id, leaseMs: deps.leaseMs });
      }
      if (payment.status === 'failed') {
        const why = payment.failure_message ?? payment.failure_code ?? 'the payment was declined';
        return transition(deps, order, 'releasing', {
          payment_id: payment.id,
          payment_error: why,
          leaseMs: deps.leaseMs,
        });
      }
      await sagaState.setPaymentId(deps.pool, order.id, payment.id);
      throw new RetryLater(`payment ${payment.id} is ${payment.status}`);
    }
    case 'committing': {
      if ((await upstreams.commit(order.id)) === 'committed') return transition(deps, order, 'shipping', {});
      // The reservation expired before we could commit it: the stock may be sold, so refund.
      return transition(deps, order, 'refunding', {
        attention: 'stock reservation expired after payment; refunded',
      });
    }
    case 'shipping': {
      const shipment = await upstreams.createShipment({
        order_id: order.id,
        user_id: order.user_id,
        address: order.shipping_address,
      });
      crashPoint(deps, 'shipment');
      return transition(deps, order, 'clearing', {
        status: 'paid',
        shipment_id: shipment.id,
        tracking_number: shipment.tracking_number,
        carrier: shipment.carrier,
        attention: null,
        reason: 'payment confirmed',
        event: 'PaymentConfirmed',
      });
    }
    case 'clearing': {
      await upstreams.clearCart(order.user_id);
      return transition(deps, order, 'done', {});
    }
    case 'releasing': {
      await upstreams.release(order.id);
      return transition(deps, order, 'done', {
        status: 'payment_failed',
        reason: order.payment_error ?? 'payment failed',
        event: 'PaymentFailed',
        eventExtra: { reason: order.payment_error ?? 'the payment was declined' },
      });
    }
    case 'refunding': {
      // The parcel first: once it is on its way the order is not cancelled and nothing is refunded.
      if (order.shipment_id && (await upstreams.cancelShipment(order.shipment_id)) === 'shipped') {
        await transition(deps, order, 'done', { attention: null });
        return false;
      }
      if (order.payment_id) await upstreams.refund(order.id);
      await upstreams.release(order.id);
      return transition(deps, order, 'done', { status: 'cancelled', reason: order.attention ?? 'cancelled' });
    }
    case 'done':
      return false;
  }
}

function backoffMs(tries: number): number {
  const base = Math.min(60_000, 250 * 2 ** tries);
  return base / 2 + Math.random() * (base / 2);
}

/**
 * Drives the order as far as it can go now. With `leaseHeld` the caller already owns the
 * lease (it just created the order); otherwise the lease is claimed first and the call
 * returns at once when another worker holds it. With `answering`, a request waits for the
 * outcome and missing stock is thrown to it as OutOfStock.
 */
export async function driveOrder(
  deps: SagaDeps,
  orderId: string,
  options: { leaseHeld?: boolean; answering?: boolean } = {},
): Promise<void> {
  if (!options.leaseHeld && !(await sagaState.claimLease(deps.pool, orderId, deps.leaseMs))) return;
  let order: OrderRow | null = null;
  try {
    for (let guard = 0; guard < 12; guard++) {
      order = await orders.findOrder(deps.pool, orderId);
      if (!order || order.saga_step === 'done') break;
      if (!(await step(deps, order, options.answering ?? false))) break;
    }
    await sagaState.releaseLease(deps.pool, orderId);
  } catch (err) {
    if (err instanceof OutOfStock) {
      await sagaState.releaseLease(deps.pool, orderId);
      throw err;
    }
    if (!order) throw err;
    await postponeAfterFailure(deps, order, err);
  }
}

async function postponeAfterFailure(deps: SagaDeps, order: OrderRow, err: unknown): Promise<void> {
  const passing = err instanceof UpstreamUnavailable || err instanceof RetryLater;
  const tries = order.saga_attempts + 1;
  if (order.saga_step === 'clearing' && tries >= CART_CLEAR_TRIES) {
    deps.log.warn({ err, orderId: order.id }, 'giving up clearing the cart; the order is complete');
    await transition(deps, order, 'done', {});
    await sagaState.releaseLease(deps.pool, order.id);
    return;
  }
  const attention =
    tries >= ATTENTION_AFTER
      ? `checkout step ${order.saga_step} keeps failing (${tries} tries): ${(err as Error).message}`
      : null;
  deps.log[passing ? 'warn' : 'error'](
    { err, orderId: order.id, step: order.saga_step, tries },
    'checkout step failed; will try again',
  );
  await sagaState.postpone(deps.pool, order.id, backoffMs(tries), attention);
}

/** Picks up unfinished orders (after a crash, or a step that failed) and drives them. */
export async function resumeDue(deps: SagaDeps, limit = 20): Promise<number> {
  const due = await sagaState.dueOrders(deps.pool, limit);
  await Promise.all(
    due.map((id) => driveOrder(deps, id).catch((err) => deps.log.error({ err, id }, 'resume failed'))),
  );
  return due.length;
}
