// Payment metrics: attempts by how they ended (and why a card was declined), refunds, and provider
// webhooks received and rejected. Every series an operator alerts on exists from the start, at 0.
import { Counter, type Registry } from 'prom-client';

/** Decline codes with a series of their own; any other code is counted as `other`. */
export const DECLINE_REASONS = [
  'card_declined',
  'insufficient_funds',
  'expired_card',
  'incorrect_cvc',
  'incorrect_number',
  'lost_card',
  'stolen_card',
  'fraudulent',
  'generic_decline',
  'do_not_honor',
  'processing_error',
  'canceled',
  'invalid_request',
] as const;

export type PaymentOutcome = 'succeeded' | 'failed' | 'pending';
export type WebhookOutcome = 'applied' | 'stale' | 'duplicate' | 'ignored' | 'unknown_payment' | 'rejected';

export interface PaymentMetrics {
  /** An attempt that settled (succeeded, failed with its code) or was left pending by an unknown answer. */
  payment(outcome: PaymentOutcome, reason?: string | null): void;
  refund(outcome: 'refunded' | 'unavailable'): void;
  webhook(outcome: WebhookOutcome): void;
}

export function paymentMetrics(registry: Registry): PaymentMetrics {
  const payments = new Counter({
    name: 'minishop_payments_total',
    help: 'Payment attempts by outcome: succeeded, failed (reason = decline code) or pending (provider answer unknown)',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  });
  const refunds = new Counter({
    name: 'minishop_refunds_total',
    help: 'Refund requests to the provider by outcome: refunded or unavailable (not confirmed, to be repeated)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'minishop_payment_webhooks_total',
    help: 'Provider webhooks by result: applied, stale, duplicate, ignored, unknown_payment or rejected (bad signature)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  payments.inc({ outcome: 'succeeded', reason: 'none' }, 0);
  payments.inc({ outcome: 'pending', reason: 'none' }, 0);
  for (const reason of [...DECLINE_REASONS, 'other']) payments.inc({ outcome: 'failed', reason }, 0);
  for (const outcome of ['refunded', 'unavailable']) refunds.inc({ outcome }, 0);
  for (const result of ['applied', 'stale', 'duplicate', 'ignored', 'unknown_payment', 'rejected']) {
    webhooks.inc({ result }, 0);
  }
  const known = new Set<string>(DECLINE_REASONS);
  return {
    payment(outcome, reason) {
      const label = outcome !== 'failed' ? 'none' : reason && known.has(reason) ? reason : 'other';
      payments.inc({ outcome, reason: label });
    },
    refund: (outcome) => refunds.inc({ outcome }),
    webhook: (result) => webhooks.inc({ result }),
  };
}
