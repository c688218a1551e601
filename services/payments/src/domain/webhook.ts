// Provider webhooks: the signature is checked over the raw body, each event id is applied at most
// once (recorded in the same transaction as the change), and an event can only move a payment
// forward, so duplicates and late or out-of-order deliveries change nothing.
import type Stripe from 'stripe';
import { DomainError } from '@minishop/kit/errors';
import { withTransaction } from '@minishop/kit/db';
import {
  advance,
  findByProviderRef,
  findPayment,
  markEventProcessed,
  type Outcome,
  type PaymentRecord,
} from '../data/payments.repository.ts';
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
  if (!signature) throw new DomainError('bad_request', 'missing Stripe-Signature header');
  let event: Stripe.Event;
  try {
    event = deps.provider.verifyEvent(rawBody, signature);
  } catch {
    throw new DomainError('bad_request', 'webhook signature verification failed');
  }
  const change = changeOf(event);
  if (!change) return 'ignored';

  return withTransaction(deps.pool, async (client) => {
    if (!(await markEventProcessed(client, event.id, event.type))) return 'duplicate';
    const payment = await findTarget(client, change);
    if (!payment) {
      deps.log.warn(
        { event_id: event.id, payment_intent: change.paymentIntent },
        'webhook for an unknown payment',
      );
      return 'unknown_payment';
    }
    const changed = await advance(client, payment.id, {
      provider_ref: change.paymentIntent,
      ...change.outcome,
    });
    if (!changed) {
      deps.log.info(
        { event_id: event.id, payment_id: payment.id, status: payment.status, event_type: event.type },
        'webhook would move the payment backwards; ignored',
      );
      return 'stale';
    }
    return 'applied';
  });
}

async function findTarget(
  client: Parameters<typeof findPayment>[0],
  change: PaymentChange,
): Promise<PaymentRecord | null> {
  const byRef = await findByProviderRef(client, change.paymentIntent);
  if (byRef) return byRef;
  // The event can arrive before the charge call has returned and stored the intent's id.
  const id = change.metadata.payment_id;
  if (id && UUID.test(id)) {
    const payment = await findPayment(client, id);
    if (payment && (payment.provider_ref === null || payment.provider_ref === change.paymentIntent))
      return payment;
  }
  return null;
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
