// Provider webhooks: the signature is checked over the raw body, each event id is applied at most
// once (recorded in the same transaction as the change), and an event can only move a payment
// forward, so duplicates and late or out-of-order deliveries change nothing.
import type Stripe from 'stripe';
import { linkToStoredTrace } from '@minishop/kit/background';
import { DomainError } from '@minishop/kit/errors';
import { applyProviderEvent, type Outcome } from '../data/payments.repository.ts';
import type { PaymentsDeps } from './charge.ts';

export type WebhookResult = 'applied' | 'stale' | 'duplicate' | 'ignored' | 'unknown_payment';

interface PaymentChange {
  paymentIntent: string;
  metadata: Record<string, string>;
  outcome: Outcome;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function handleProviderEvent(
  deps: PaymentsDeps,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<WebhookResult> {
  if (!signature) throw rejected(deps, 'missing Stripe-Signature header');
  let event: Stripe.Event;
  try {
    event = deps.provider.verifyEvent(rawBody, signature);
  } catch {
    throw rejected(deps, 'webhook signature verification failed');
  }
  const result = await apply(deps, event);
  deps.metrics?.webhook(result);
  return result;
}

/** Counts and logs a webhook refused before it was read; the error to answer it with. */
function rejected(deps: PaymentsDeps, reason: string): DomainError {
  deps.metrics?.webhook('rejected');
  deps.log.warn({ reason }, 'provider webhook rejected');
  return new DomainError('bad_request', reason);
}

async function apply(deps: PaymentsDeps, event: Stripe.Event): Promise<WebhookResult> {
  const change = changeOf(event);
  if (!change) return 'ignored';
  // News this process has already written: the statement below would change nothing.
  const known = await deps.known.lookup(change.paymentIntent);
  if (known?.status === change.outcome.status) {
    linkToStoredTrace(known.trace);
    return 'stale';
  }
  const id = change.metadata.payment_id;
  const { first, payment, changed } = await applyProviderEvent(deps.pool, {
    eventId: event.id,
    type: event.type,
    paymentIntent: change.paymentIntent,
    paymentId: id && UUID.test(id) ? id : null,
    outcome: change.outcome,
  });
  if (!first) return 'duplicate';
  const about = { event_id: event.id, event_type: event.type, payment_intent: change.paymentIntent };
  if (!payment) {
    deps.log.warn(about, 'webhook for an unknown payment');
    return 'unknown_payment';
  }
  // The webhook's own trace starts at the provider; it points at the checkout that made the payment.
  linkToStoredTrace(payment.trace_context);
  if (!changed) {
    deps.log.info(
      { ...about, payment_id: payment.id, status: payment.status },
      'webhook would move the payment backwards; ignored',
    );
    return 'stale';
  }
  if (changed.status === 'failed') deps.metrics?.payment('failed', changed.failure_code);
  if (changed.status === 'succeeded') deps.metrics?.payment('succeeded');
  deps.log.info(
    {
      ...about,
      payment_id: changed.id,
      order_id: changed.order_id,
      status: changed.status,
      decline_code: changed.failure_code ?? undefined,
    },
    'payment changed by the provider',
  );
  return 'applied';
}

function changeOf(event: Stripe.Event): PaymentChange | null {
  switch (event.type) {
    case 'payment_intent.succeeded': {
      const intent = event.data.object;
      return { paymentIntent: intent.id, metadata: intent.metadata ?? {}, outcome: { status: 'succeeded' } };
    }
    case 'payment_intent.payment_failed': {
      const intent = event.data.object;
      const error = intent.last_payment_error;
      return {
        paymentIntent: intent.id,
        metadata: intent.metadata ?? {},
        outcome: {
          status: 'failed',
          failure_code: error?.decline_code ?? error?.code ?? 'payment_failed',
          failure_message: error?.message ?? 'the payment failed',
        },
      };
    }
    case 'charge.refunded': {
      const charge = event.data.object;
      const intent =
        typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
      // Only a full refund makes the payment refunded; Minishop never refunds part of a payment.
      if (!intent || !charge.refunded) return null;
      return { paymentIntent: intent, metadata: charge.metadata ?? {}, outcome: { status: 'refunded' } };
    }
    default:
      return null;
  }
}
