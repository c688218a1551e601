// Records rendered as the JSON objects Stripe's API returns (the fields clients commonly read).
import type { ChargeRecord, Ledger, PaymentIntentRecord, RefundRecord } from './ledger.store.ts';

export function paymentIntentObject(pi: PaymentIntentRecord) {
  return {
    id: pi.id,
    object: 'payment_intent',
    amount: pi.amount,
    amount_capturable: 0,
    amount_received: pi.amount_received,
    capture_method: 'automatic',
    client_secret: `${pi.id}_secret_simulated`,
    confirmation_method: 'automatic',
    created: pi.created,
    currency: pi.currency,
    customer: null,
    description: pi.description,
    last_payment_error: pi.last_payment_error,
    latest_charge: pi.latest_charge,
    livemode: false,
    metadata: { ...pi.metadata },
    next_action: null,
    payment_method: pi.payment_method,
    payment_method_types: ['card'],
    status: pi.status,
  };
}

export function refundObject(refund: RefundRecord) {
  return {
    id: refund.id,
    object: 'refund',
    amount: refund.amount,
    charge: refund.charge,
    created: refund.created,
    currency: refund.currency,
    metadata: { ...refund.metadata },
    payment_intent: refund.payment_intent,
    reason: refund.reason,
    status: 'succeeded',
  };
}

export function chargeObject(charge: ChargeRecord, ledger: Ledger) {
  const refunds = ledger.refundsOfCharge(charge.id).map(refundObject);
  const succeeded = charge.status === 'succeeded';
  return {
    id: charge.id,
    object: 'charge',
    amount: charge.amount,
    amount_captured: succeeded ? charge.amount : 0,
    amount_refunded: charge.amount_refunded,
    captured: succeeded,
    created: charge.created,
    currency: charge.currency,
    description: charge.description,
    failure_code: charge.failure_code,
    failure_message: charge.failure_message,
    livemode: false,
    metadata: { ...charge.metadata },
    outcome: {
      network_status: succeeded ? 'approved_by_network' : 'declined_by_network',
      reason: charge.decline_code,
      type: succeeded ? 'authorized' : 'issuer_declined',
    },
    paid: succeeded,
    payment_intent: charge.payment_intent,
    payment_method: charge.payment_method,
    refunded: succeeded && charge.amount_refunded === charge.amount,
    refunds: { object: 'list', data: refunds, has_more: false, url: `/v1/charges/${charge.id}/refunds` },
    status: charge.status,
  };
}
