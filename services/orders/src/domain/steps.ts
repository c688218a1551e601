// The checkout saga's steps. Each runs its remote call and says where the order stands after it.
// A step that succeeds may go straight on to the next one in memory: an outcome is written only
// where the buyer's answer or an email depends on it (reserved, paid, declined, cancelled), where
// the order must wait (a pending payment, a failing call), or where the saga ends. This is safe
// because every remote call is idempotent by order id: a crash before the write repeats calls
// whose answers are the same the second time (the charge of this attempt, the shipment of this
// order, the commit of this reservation), and the order is carried on from the last written step.
import { Conflict } from '@minishop/kit/errors';
import { formatMoney, parseMoney } from '@minishop/kit/money';
import type { CancelReason, OrderRow, OrderStatus, SagaStep } from '../data/orders.repository.ts';
import * as sagaState from '../data/saga.repository.ts';
import { callDeadline, type Pass } from './saga-pass.ts';
import type { OrderEvent } from './order-events.ts';
import type { ReserveResult } from './upstreams.ts';

/** Where a step leaves the order. */
export interface Outcome {
  /** The order in memory after the step; its saga fields are written as they are. */
  order: OrderRow;
  to: SagaStep;
  status?: { to: OrderStatus; reason: string };
  /** The items carry the reservation's names and prices, to be written. */
  prices?: boolean;
  event?: OrderEvent;
  /** The step stopped on this error: the order is tried again later from `to`. */
  failure?: unknown;
  /** Nothing more to do now: the order waits (for the provider, or a person). */
  stop?: boolean;
  /** Thrown to the waiting buyer once the outcome is written. */
  refusal?: OutOfStock;
}

export class RetryLater extends Error {}

type Short = Extract<ReserveResult, { ok: false }>['short'];

export class OutOfStock extends Conflict {
  constructor(short: Short) {
    super('some items in your cart are out of stock', { short });
  }
}

type Step = (pass: Pass, order: OrderRow) => Promise<Outcome>;

const reserving: Step = async (pass, order) => {
  const lines = order.items.map((i) => ({ product_id: i.product_id, quantity: i.quantity }));
  const result = await pass.deps.upstreams.reserve(order.id, lines, callDeadline(pass));
  pass.deps.crashPoint?.('reserve');
  if (!result.ok) return outOfStock(pass, order, result.short);
  const first = order.attempt === 1;
  // A payment retry keeps the prices of the first reservation: the order's total never changes.
  const items = first
    ? result.items.map((i) => ({
        product_id: i.product_id,
        name: i.name,
        unit_price_cents: parseMoney(i.unit_price)!,
        quantity: i.quantity,
      }))
    : order.items;
  const total = items.reduce((sum, i) => sum + (i.unit_price_cents ?? 0) * i.quantity, 0);
  return {
    order: { ...order, items, total_cents: total },
    to: 'charging',
    status: { to: 'pending', reason: first ? 'order placed' : `payment attempt ${order.attempt}` },
    prices: first,
    event: first ? { type: 'OrderPlaced' } : undefined,
  };
};

/**
 * Stock ran out before it could be reserved. A buyer still waiting for a new order is told with a
 * 409 and the order disappears (nothing was charged or announced). An order the buyer has seen
 * stays: cancelled with the reason, and announced; a payment retry goes back to payment_failed.
 */
async function outOfStock(pass: Pass, order: OrderRow, short: Short): Promise<Outcome> {
  const { deps } = pass;
  deps.checkouts?.inc({ outcome: 'out_of_stock' });
  const refusal = new OutOfStock(short);
  const first = order.attempt === 1;
  if (first && pass.answering) {
    const answer = pass.key && {
      ...pass.key,
      status: 409,
      body: { detail: refusal.message, ...refusal.details },
    };
    await sagaState.removeUnreserved(deps.pool, order.id, pass.owner, answer);
    throw refusal;
  }
  deps.log.warn(
    { orderId: order.id, attempt: order.attempt, short },
    first ? 'order cancelled: out of stock before it was reserved' : 'payment retry refused: out of stock',
  );
  const nameOf = new Map(order.items.map((i) => [i.product_id, i.name ?? '']));
  const outcome: Outcome = {
    order: {
      ...order,
      payment_error: 'some items are no longer in stock',
      cancel_reason: first ? 'out_of_stock' : order.cancel_reason,
    },
    to: 'done',
    status: {
      to: first ? 'cancelled' : 'payment_failed',
      reason: 'items went out of stock before they could be reserved',
    },
    event: first
      ? {
          type: 'OrderCancelled',
          extra: {
            reason: 'out_of_stock',
            refunded: false,
            short: short.map((s) => ({ ...s, name: nameOf.get(s.product_id) ?? '' })),
          },
        }
      : pass.answering
        ? undefined
        : { type: 'PaymentFailed', extra: { reason: 'some items are no longer in stock' } },
  };
  // The buyer retrying the payment hears it now.
  return pass.answering ? { ...outcome, refusal } : outcome;
}

const charging: Step = async (pass, order) => {
  const payment = await pass.deps.upstreams.charge(
    {
      order_id: order.id,
      user_id: order.user_id,
      attempt: order.attempt,
      amount: formatMoney(order.total_cents),
      currency: order.currency,
      payment_method: order.payment_method,
    },
    callDeadline(pass),
  );
  pass.deps.crashPoint?.('charge');
  if (payment.status === 'succeeded')
    return runStep(pass, 'committing', { ...order, payment_id: payment.id });
  if (payment.status === 'failed') {
    const why = payment.failure_message ?? payment.failure_code ?? 'the payment was declined';
    return runStep(pass, 'releasing', { ...order, payment_id: payment.id, payment_error: why });
  }
  return {
    order: { ...order, payment_id: payment.id },
    to: 'charging',
    failure: new RetryLater(`payment ${payment.id} is ${payment.status}`),
  };
};

const committing: Step = async (pass, order) => {
  if ((await pass.deps.upstreams.commit(order.id, callDeadline(pass))) === 'committed')
    return runStep(pass, 'shipping', order);
  // The reservation expired before it was committed and its stock may be sold: refund.
  pass.deps.log.warn({ orderId: order.id }, 'stock reservation expired after payment; refunding the order');
  return runStep(pass, 'refunding', {
    ...order,
    attention: 'stock reservation expired after payment; refunded',
    cancel_reason: 'stock_lost_after_payment',
  });
};

/** Creates the shipment and, meanwhile, empties the cart (its failure only leaves a later try). */
const shipping: Step = async (pass, order) => {
  const { upstreams } = pass.deps;
  const deadline = callDeadline(pass);
  const [shipment, cartError] = await Promise.all([
    upstreams.createShipment(
      { order_id: order.id, user_id: order.user_id, address: order.shipping_address },
      deadline,
    ),
    upstreams.clearCart(order.user_id, deadline).then(
      () => undefined,
      (err: unknown) => err ?? new Error('clearing the cart failed'),
    ),
  ]);
  pass.deps.crashPoint?.('shipment');
  return {
    order: {
      ...order,
      shipment_id: shipment.id,
      tracking_number: shipment.tracking_number,
      carrier: shipment.carrier,
      attention: null,
    },
    to: cartError ? 'clearing' : 'done',
    status: { to: 'paid', reason: 'payment confirmed' },
    event: { type: 'PaymentConfirmed' },
    failure: cartError,
  };
};

const clearing: Step = async (pass, order) => {
  await pass.deps.upstreams.clearCart(order.user_id, callDeadline(pass));
  return { order, to: 'done' };
};

const releasing: Step = async (pass, order) => {
  await pass.deps.upstreams.release(order.id, callDeadline(pass));
  pass.deps.log.info({ orderId: order.id, reason: order.payment_error }, 'payment declined; stock released');
  return {
    order,
    to: 'done',
    status: { to: 'payment_failed', reason: order.payment_error ?? 'payment failed' },
    event: { type: 'PaymentFailed', extra: { reason: order.payment_error ?? 'the payment was declined' } },
  };
};

/** The history line of a cancellation someone asked for: the buyer, or the shop (an admin). */
export const CANCELLED_BY = {
  requested: 'cancelled by the customer',
  by_shop: 'cancelled by the shop',
} as const satisfies Partial<Record<CancelReason, string>>;

/** Undoes a paid order: the parcel first, since once it is on its way nothing is refunded. */
const refunding: Step = async (pass, order) => {
  const { upstreams, log } = pass.deps;
  const deadline = callDeadline(pass);
  if (order.shipment_id && (await upstreams.cancelShipment(order.shipment_id, deadline)) === 'shipped') {
    log.warn({ orderId: order.id }, 'cancellation refused: the parcel is already on its way');
    return { order: { ...order, attention: null }, to: 'done', stop: true };
  }
  if (order.payment_id) await upstreams.refund(order.id, deadline);
  await upstreams.release(order.id, deadline);
  const reason = order.cancel_reason ?? 'requested';
  const asked = reason === 'requested' || reason === 'by_shop';
  const why = asked ? CANCELLED_BY[reason] : (order.attention ?? 'cancelled');
  log[asked ? 'info' : 'warn']({ orderId: order.id, reason: why }, 'order refunded and cancelled');
  return {
    order,
    to: 'done',
    status: { to: 'cancelled', reason: why },
    event: { type: 'OrderCancelled', extra: { reason, refunded: order.payment_id !== null } },
  };
};

const STEPS: Record<Exclude<SagaStep, 'done'>, Step> = {
  reserving,
  charging,
  committing,
  shipping,
  clearing,
  releasing,
  refunding,
};

/**
 * Runs `step` (and whatever it goes straight on to). An error leaves the order at the step that
 * failed, to be tried again; missing stock the buyer must hear about is thrown.
 */
export async function runStep(pass: Pass, step: SagaStep, order: OrderRow): Promise<Outcome> {
  if (step === 'done') return { order, to: 'done' };
  try {
    return await STEPS[step](pass, { ...order, saga_step: step });
  } catch (err) {
    if (err instanceof OutOfStock) throw err;
    return { order, to: step, failure: err };
  }
}
