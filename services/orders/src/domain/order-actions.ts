// Use cases on an order that exists: read it, list them, cancel one, pay again for a failed one.
import { Conflict, NotFound } from '@minishop/kit/errors';
import { withTransaction } from '@minishop/kit/db';
import * as orders from '../data/orders.repository.ts';
import type { OrderRow } from '../data/orders.repository.ts';
import * as sagaState from '../data/saga.repository.ts';
import { driveOrder, type SagaDeps } from './checkout-saga.ts';
import type { Customer } from './place-order.ts';

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
      if (await sagaState.advance(tx, id, 'done', 'done', { status: 'cancelled' })) {
        await orders.addHistory(tx, id, 'cancelled', 'cancelled by the customer');
      }
    });
  } else if (order.status === 'paid' && ['done', 'clearing'].includes(order.saga_step)) {
    const moved = await sagaState.advance(deps.pool, id, ['done', 'clearing'], 'refunding', {
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
    const ok = await sagaState.advance(tx, id, 'done', 'reserving', {
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

/** A page of orders: the customer's own, or everyone's for an admin. */
export async function listOrders(
  deps: Pick<SagaDeps, 'pool'>,
  customer: Customer,
  page: { limit: number; offset: number },
) {
  return orders.listOrders(deps.pool, { userId: customer.role === 'admin' ? null : customer.id, ...page });
}
