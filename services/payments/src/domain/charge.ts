// Charging one payment attempt of an order, safely repeatable: the attempt's row (and with it the
// provider idempotency key) is created first, then the provider is asked, or, when an earlier call
// already reached it, asked again about the same payment intent. Repeating the call never charges twice.
import type { FastifyBaseLogger } from 'fastify';
import { captureTraceContext } from '@minishop/kit/background';
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
import type { KnownOutcomes } from './known-outcomes.ts';
import type { PaymentMetrics } from './payment-metrics.ts';
import type { ChargeOutcome, PaymentProvider } from './provider.ts';
import type { SingleFlight } from './single-flight.ts';

export interface PaymentsDeps {
  pool: Pool;
  provider: PaymentProvider;
  flights: SingleFlight;
  /** Outcomes this process wrote, so the provider's webhook repeating one costs no statement. */
  known: KnownOutcomes;
  log: FastifyBaseLogger;
  metrics?: PaymentMetrics;
  /** Called at the named points of a charge (test crash points). */
  crashPoint?: (point: 'provider-answer') => void;
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
    trace_context: captureTraceContext(),
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
  const settled = await deps.flights.run(`charge:${payment.id}`, () => settle(deps, payment));
  return { payment: settled, created };
}

/** Brings a pending attempt (as just read or written) as far as the provider's answer allows. */
async function settle(deps: PaymentsDeps, payment: PaymentRecord): Promise<PaymentRecord> {
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
  deps.crashPoint?.('provider-answer');
  return applyOutcome(deps, payment, outcome);
}

/**
 * Records what the provider said. A row that did not change was moved by someone else meanwhile
 * (a webhook, a replica): only then is it read again.
 */
async function applyOutcome(
  deps: PaymentsDeps,
  payment: PaymentRecord,
  outcome: ChargeOutcome,
): Promise<PaymentRecord> {
  const about = { payment_id: payment.id, order_id: payment.order_id, attempt: payment.attempt };
  if (outcome.kind === 'pending') {
    deps.metrics?.payment('pending');
    deps.log.warn({ ...about, reason: outcome.reason }, 'payment outcome unknown; the attempt stays pending');
    if (!outcome.ref || payment.provider_ref) return payment;
    return (await attachProviderRef(deps.pool, payment.id, outcome.ref)) ?? mustFind(deps.pool, payment.id);
  }
  const changed = await deps.known.write(outcome.ref, () =>
    advance(
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
    ),
  );
  if (!changed) return mustFind(deps.pool, payment.id);
  if (outcome.kind === 'succeeded') {
    deps.metrics?.payment('succeeded');
    deps.log.debug({ ...about, amount_cents: payment.amount_cents }, 'payment succeeded');
  } else {
    deps.metrics?.payment('failed', outcome.code);
    deps.log.info({ ...about, decline_code: outcome.code, reason: outcome.message }, 'payment declined');
  }
  return changed;
}

async function mustFind(pool: Pool, id: string): Promise<PaymentRecord> {
  const payment = await findPayment(pool, id);
  if (!payment) throw new Error(`payment ${id} disappeared`);
  return payment;
}
