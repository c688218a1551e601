// A customer retrying the payment of an order whose payment failed. Orders owns the order (its
// owner, status and amount), so the request goes through Orders with the customer's own token;
// Orders re-runs its checkout saga, which charges a new attempt here.
import {
  Conflict,
  Forbidden,
  NotFound,
  RateLimited,
  Unavailable,
  Unauthorized,
  ValidationFailed,
} from '@minishop/kit/errors';
import type { Principal } from '@minishop/kit/auth-guard';
import type { ServiceClient } from '@minishop/kit/service-client';
import { findPayment, listByOrder, type PaymentRecord } from '../data/payments.repository.ts';
import type { PaymentsDeps } from './charge.ts';

export interface RetryDeps extends PaymentsDeps {
  orders: ServiceClient;
}

interface OrdersAnswer {
  id?: string;
  payment_id?: string | null;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export async function retryOrderPayment(
  deps: RetryDeps,
  principal: Principal,
  input: { order_id: string; payment_method?: string },
  requestId: string,
): Promise<PaymentRecord> {
  const res = await deps.orders.request<OrdersAnswer>({
    method: 'POST',
    path: `/orders/${input.order_id}/retry-payment`,
    body: input.payment_method ? { payment_method: input.payment_method } : {},
    bearer: principal.token,
    requestId,
  });
  const answer = typeof res.body === 'object' && res.body !== null ? res.body : {};
  switch (res.status) {
    case 200:
    case 201:
      break;
    case 404:
      throw new NotFound('order');
    case 409:
      throw new Conflict(answer.detail ?? 'the order cannot be paid again');
    case 400:
    case 422:
      throw new ValidationFailed(answer.detail ?? 'the retry was rejected', answer.errors ?? []);
    case 401:
      throw new Unauthorized(answer.detail);
    case 403:
      throw new Forbidden(answer.detail);
    case 429:
      throw new RateLimited(Number(res.headers['retry-after']) || 1);
    default:
      throw new Unavailable(`orders answered ${res.status}`);
  }
  const payment = answer.payment_id
    ? await findPayment(deps.pool, answer.payment_id)
    : ((await listByOrder(deps.pool, input.order_id)).at(-1) ?? null);
  if (!payment) throw new Unavailable('the order did not report a payment; try again later');
  return payment;
}
