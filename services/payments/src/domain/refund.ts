// Refunding an order's captured payment. The provider call carries the key `refund:<payment id>`,
// so repeating a refund (after a timeout, or a second cancel) never pays money back twice.
import { Conflict, NotFound, Unavailable } from '@minishop/kit/errors';
import { advance, findPayment, listByOrder, type PaymentRecord } from '../data/payments.repository.ts';
import type { PaymentsDeps } from './charge.ts';

export async function refundOrder(deps: PaymentsDeps, orderId: string): Promise<PaymentRecord> {
  const payments = await listByOrder(deps.pool, orderId);
  if (payments.length === 0) throw new NotFound('payment');
  const captured = payments.filter((p) => p.status === 'succeeded');
  if (captured.length === 0) {
    const refunded = payments.filter((p) => p.status === 'refunded').at(-1);
    if (refunded) return refunded;
    throw new Conflict('the order has no captured payment to refund', {
      payments: payments.map((p) => ({ id: p.id, status: p.status })),
    });
  }
  // One captured payment is the rule; should there ever be more, every one of them goes back.
  let last: PaymentRecord | undefined;
  for (const payment of captured) {
    last = await deps.flights.run(`refund:${payment.id}`, () => refundPayment(deps, payment));
  }
  return last as PaymentRecord;
}

async function refundPayment(deps: PaymentsDeps, payment: PaymentRecord): Promise<PaymentRecord> {
  if (!payment.provider_ref) throw new Error(`captured payment ${payment.id} has no provider reference`);
  const outcome = await deps.provider.refund(payment.provider_ref, `refund:${payment.id}`);
  if (outcome.kind === 'unavailable') {
    deps.metrics?.refund('unavailable');
    deps.log.warn({ payment_id: payment.id, reason: outcome.reason }, 'refund not confirmed by the provider');
    throw new Unavailable('the payment provider did not confirm the refund; try again later', {
      payment_id: payment.id,
    });
  }
  const changed = await deps.known.write(payment.provider_ref, () =>
    advance(deps.pool, payment.id, { status: 'refunded', refund_ref: outcome.ref || null }),
  );
  deps.metrics?.refund('refunded');
  deps.log.info(
    { payment_id: payment.id, order_id: payment.order_id, amount_cents: payment.amount_cents },
    'payment refunded',
  );
  // Unchanged: a webhook recorded the refund meanwhile; the row is read as it is now.
  return changed ?? ((await findPayment(deps.pool, payment.id)) as PaymentRecord);
}
