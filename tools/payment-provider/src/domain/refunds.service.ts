// Refunding a succeeded charge, in full or in part, never beyond what is left on it.
import type { ChargeRecord } from './ledger.store.ts';
import type { PaymentDeps } from './payment-intents.service.ts';
import type { RequestInfo } from './event-sink.ts';
import { invalidRequest, noSuchResource } from './provider-error.ts';
import { type Params, readAmount, readMetadata, readString, rejectUnknown } from './request-params.ts';
import { chargeObject, refundObject } from './stripe-objects.ts';

const REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

export function createRefund(deps: PaymentDeps, params: Params, request: RequestInfo) {
  rejectUnknown(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
  const charge = refundableCharge(deps, params);
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining === 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, {
      code: 'charge_already_refunded',
    });
  }
  const amount = readAmount(params, 'amount') ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${formatMinor(amount, charge.currency)}) is greater than unrefunded amount on charge ` +
        `(${formatMinor(remaining, charge.currency)})`,
      { code: 'amount_too_large', param: 'amount' },
    );
  }
  const reason = readString(params, 'reason', 100) ?? null;
  if (reason !== null && !REASONS.includes(reason)) {
    throw invalidRequest(`Invalid reason: must be one of ${REASONS.join(', ')}`, { param: 'reason' });
  }
  const refund = deps.ledger.addRefund({
    amount,
    charge: charge.id,
    payment_intent: charge.payment_intent,
    currency: charge.currency,
    reason,
    metadata: readMetadata(params),
    created: Math.floor(Date.now() / 1000),
  });
  charge.amount_refunded += amount;
  deps.ledger.saveCharge(charge);
  deps.events.emit('charge.refunded', chargeObject(charge, deps.ledger), request);
  return refundObject(refund);
}

export function retrieveRefund(deps: PaymentDeps, id: string) {
  const refund = deps.ledger.refund(id);
  if (!refund) throw noSuchResource('refund', id);
  return refundObject(refund);
}

function refundableCharge(deps: PaymentDeps, params: Params): ChargeRecord {
  const paymentIntentId = readString(params, 'payment_intent', 255);
  const chargeId = readString(params, 'charge', 255);
  if (paymentIntentId === undefined && chargeId === undefined) {
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
    );
  }
  if (paymentIntentId !== undefined) {
    const pi = deps.ledger.paymentIntent(paymentIntentId);
    if (!pi) throw noSuchResource('payment_intent', paymentIntentId, 'payment_intent');
    const charge =
      pi.status === 'succeeded' && pi.latest_charge ? deps.ledger.charge(pi.latest_charge) : undefined;
    if (!charge || (chargeId !== undefined && charge.id !== chargeId)) {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, {
        code: 'charge_not_refundable',
        param: 'payment_intent',
      });
    }
    return charge;
  }
  const charge = deps.ledger.charge(chargeId as string);
  if (!charge) throw noSuchResource('charge', chargeId as string, 'charge');
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, {
      code: 'charge_not_refundable',
      param: 'charge',
    });
  }
  return charge;
}

function formatMinor(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}
