// Reading payments: who may see a payment is decided here, so a route only asks and answers.
import type { Principal } from '@minishop/kit/auth-guard';
import { NotFound } from '@minishop/kit/errors';
import { findPayment, listByOrder, type PaymentRecord } from '../data/payments.repository.ts';
import type { PaymentsDeps } from './charge.ts';

function mayRead(principal: Principal, payment: PaymentRecord): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'service') return principal.scopes.has('payments:read');
  return payment.user_id === principal.id;
}

/** The payment if the caller may see it (its owner, an admin, a service that reads payments). */
export async function paymentFor(
  deps: PaymentsDeps,
  principal: Principal,
  id: string,
): Promise<PaymentRecord> {
  const payment = await findPayment(deps.pool, id);
  // Someone else's payment does not exist for the caller.
  if (!payment || !mayRead(principal, payment)) throw new NotFound('payment');
  return payment;
}

/** Every attempt of an order, oldest first (callers are checked by the route's guard). */
export function paymentsOfOrder(deps: PaymentsDeps, orderId: string): Promise<PaymentRecord[]> {
  return listByOrder(deps.pool, orderId);
}
