// Charging one payment attempt of an order, safely repeatable: the attempt's row (and with it the
// provider idempotency key) is created first, then the provider is asked, or, when an earlier call
// already reached it, asked again about the same payment intent. Repeating the call never charges twice.
import type { FastifyBaseLogger } from 'fastify';
import { Conflict, ValidationFailed } from '@minishop/kit/errors';
import { parseMoney } from '@minishop/kit/money';
import type { Pool } from '@minishop/kit/db';
import {
  advance,
  attachProviderRef,
  findPayment,
  insertOrGetAttempt,
  type PaymentRecord,
} from '../data/payments.repository.ts';
import type { ChargeOutcome, PaymentProvider } from './provider.ts';
import type { SingleFlight } from './single-flight.ts';

export interface PaymentsDeps {
  pool: Pool;
  provider: PaymentProvider;
  flights: SingleFlight;
  log: FastifyBaseLogger;
}

export interface ChargeInput {
  order_id: string;
  user_id: string;
  attempt: number;
  amount: string | number;
  currency: string;
  payment_method: string;
}

export async function chargeAttempt(
  deps: PaymentsDeps,
  input: ChargeInput,
): Promise<{ payment: PaymentRecord; created: boolean }> {
  const amountCents = parseMoney(input.amount);
  if (amountCents === null || amountCents < 1) {
    throw new ValidationFailed('amount must be a positive amount with at most two decimals', [
      { field: 'body.amount', message: 'must be greater than 0.00' },
    ]);
  }
  const { payment, created } = await insertOrGetAttempt(deps.pool, {
    order_id: input.order_id,
    user_id: input.user_id,
    attempt: input.attempt,
    amount_cents: amountCents,
    currency: input.currency,
    payment_method: input.payment_method,
  });
  const differing = (
    [
      ['user_id', payment.user_id === input.user_id],
      ['amount', payment.amount_cents === amountCents],
      ['currency', payment.currency === input.currency],
      ['payment_method', payment.payment_method === input.payment_method],
    ] as const
  )
    .filter(([, same]) => !same)
    .map(([field]) => field);
  if (differing.length > 0) {
    throw new Conflict(
      `attempt ${input.attempt} of this order was already made with a different ${differing.join(', ')}`,
      {
        payment_id: payment.id,
        fields: differing,
      },
    );
  }
  if (payment.status !== 'pending') return { payment, created };
  const settled = await deps.flights.run(`charge:${payment.id}`, () => settle(deps, payment.id));
  return { payment: settled, created };
}

/** Brings a pending attempt as far as the provider's answer allows. */
async function settle(deps: PaymentsDeps, paymentId: string): Promise<PaymentRecord> {
  const payment = await mustFind(deps.pool, paymentId);
  if (payment.status !== 'pending') return payment;
  const outcome = payment.provider_ref
    ? await deps.provider.status(payment.provider_ref)
    : await deps.provider.charge({
        paymentId: payment.id,
        orderId: payment.order_id,
        attempt: payment.attempt,
        amountCents: payment.amount_cents,
        currency: payment.currency,
        paymentMethod: payment.payment_method,
        idempotencyKey: payment.idempotency_key,
      });
  return applyOutcome(deps, payment, outcome);
}

async function applyOutcome(
  deps: PaymentsDeps,
  payment: PaymentRecord,
  outcome: ChargeOutcome,
): Promise<PaymentRecord> {
  if (outcome.kind === 'pending') {
    deps.log.warn(
      { payment_id: payment.id, order_id: payment.order_id, reason: outcome.reason },
      'payment outcome unknown; the attempt stays pending',
    );
    if (outcome.ref && !payment.provider_ref) await attachProviderRef(deps.pool, payment.id, outcome.ref);
    return mustFind(deps.pool, payment.id);
  }
  const changed = await advance(
    deps.pool,
    payment.id,
    outcome.kind === 'succeeded'
      ? { status: 'succeeded', provider_ref: outcome.ref }
      : {
          status: 'failed',
          provider_ref: outcome.ref,
          failure_code: outcome.code,
          failure_message: outcome.message,
        },
  );
  return changed ?? mustFind(deps.pool, payment.id);
}

async function mustFind(pool: Pool, id: string): Promise<PaymentRecord> {
  const payment = await findPayment(pool, id);
  if (!payment) throw new Error(`payment ${id} disappeared`);
  return payment;
}
