// Use cases on an order that exists: read it, list them, cancel one, pay again for a failed one.
import { withTransaction } from '@minishop/kit/db';
import { Conflict, NotFound } from '@minishop/kit/errors';
import * as orders from '../data/orders.repository.ts';
import type { OrderRow, OrderStatus } from '../data/orders.repository.ts';
import * as sagaState from '../data/saga.repository.ts';
import { leaseClock, newPass, runSaga, type SagaDeps } from './checkout-saga.ts';
import { announce } from './order-events.ts';
import type { Customer } from './place-order.ts';
import { CANCELLED_BY } from './steps.ts';

/** How long a cancellation waits for a worker that holds the order (e.g. clearing the cart). */
const CANCEL_WAIT_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The order if this customer may see it (their own, or any for an admin). */
async function visibleOrder(deps: Pick<SagaDeps, 'pool'>, customer: Customer, id: string): Promise<OrderRow> {
  const order = await orders.findOrder(deps.pool, id);
  if (!order || (customer.role !== 'admin' && order.user_id !== customer.id)) throw new NotFound('order');
  return order;
}

export async function getOrder(deps: Pick<SagaDeps, 'pool'>, customer: Customer, id: string) {
  const order = await visibleOrder(deps, customer, id);
  return { order, history: await orders.historyOf(deps.pool, id) };
}

/** A page of orders: the customer's own, or everyone's (or those needing attention) for an admin. */
export async function listOrders(
  deps: Pick<SagaDeps, 'pool'>,
  customer: Customer,
  query: { limit: number; offset: number; status?: OrderStatus; attention?: boolean },
) {
  const admin = customer.role === 'admin';
  return orders.listOrders(deps.pool, {
    ...query,
    userId: admin ? null : customer.id,
    attention: admin && query.attention === true,
  });
}

/**
 * Cancels an order: one whose payment failed at once; a paid one that has not shipped through the
 * refund. A shipped order, or one whose checkout is still running, cannot be cancelled. An admin
 * cancelling someone else's order cancels it for the shop, and the buyer is told so.
 */
export async function cancelOrder(deps: SagaDeps, customer: Customer, id: string): Promise<OrderRow> {
  const deadline = Date.now() + CANCEL_WAIT_MS;
  for (;;) {
    const order = await visibleOrder(deps, customer, id);
    if (order.status === 'cancelled') return order;
    const reason = customer.role === 'admin' && order.user_id !== customer.id ? 'by_shop' : 'requested';
    if (order.status === 'payment_failed' && order.saga_step === 'done') {
      const cancelled = await withTransaction(deps.pool, async (tx) => {
        const row = await sagaState.cancelFailed(tx, id, reason, CANCELLED_BY[reason]);
        if (row)
          await announce(tx, row, {
            type: 'OrderCancelled',
            extra: { reason, refunded: false },
          });
        return row;
      });
      if (cancelled) {
        deps.outboxWake?.();
        return cancelled;
      }
      continue; // paid again or cancelled meanwhile: look again
    }
    if (order.status === 'paid' && ['done', 'clearing'].includes(order.saga_step)) {
      const pass = newPass(deps);
      const held = leaseClock(pass);
      const claimed = await sagaState.claimForRefund(deps.pool, id, pass.owner, deps.leaseMs, reason);
      if (claimed) {
        held(deps.leaseMs);
        return refunded(await runSaga(pass, claimed));
      }
      // A worker holds it for a moment (clearing the cart): wait for it.
      if (Date.now() < deadline) {
        await sleep(50);
        continue;
      }
    }
    if (order.status === 'pending' || order.status === 'paid') {
      throw new Conflict('the checkout of this order is still in progress; try again in a moment');
    }
    throw new Conflict(`an order that is ${order.status} can no longer be cancelled`);
  }
}

function refunded(after: OrderRow): OrderRow {
  if (after.status === 'paid' && after.saga_step === 'done') {
    throw new Conflict('the order has already shipped and can no longer be cancelled');
  }
  return after;
}

/** Pays again for an order whose payment failed: the saga runs again from its reservation. */
export async function retryPayment(
  deps: SagaDeps,
  customer: Customer,
  id: string,
  paymentMethod: string | undefined,
): Promise<OrderRow> {
  const order = await visibleOrder(deps, customer, id);
  if (order.user_id !== customer.id) throw new NotFound('order');
  if (order.status !== 'payment_failed' || order.saga_step !== 'done') {
    throw new Conflict(`only an order whose payment failed can be paid again (this one is ${order.status})`);
  }
  const pass = newPass(deps, { answering: true });
  const held = leaseClock(pass);
  const claimed = await sagaState.claimForRetry(deps.pool, id, pass.owner, deps.leaseMs, paymentMethod);
  if (!claimed) throw new Conflict('this order changed meanwhile; try again');
  held(deps.leaseMs);
  return runSaga(pass, claimed);
}
