// Creating, confirming and reading payment intents. Confirming charges the test payment method:
// a success completes the intent; a decline leaves it awaiting a new payment method and answers
// with a card error carrying the intent, as Stripe does.
import type { EventSink, RequestInfo } from './event-sink.ts';
import type { Ledger, PaymentIntentRecord } from './ledger.store.ts';
import { ProviderError, noSuchResource, unexpectedState } from './provider-error.ts';
import {
  type Params,
  readBoolean,
  readMetadata,
  readString,
  rejectUnknown,
  requireAmount,
  requireCurrency,
} from './request-params.ts';
import { paymentIntentObject } from './stripe-objects.ts';
import {
  findTestPaymentMethod,
  paymentMethodObject,
  type TestPaymentMethod,
} from './test-payment-methods.ts';

export interface PaymentDeps {
  ledger: Ledger;
  events: EventSink;
}

// Accepted so common client code works; the simulator has no use for the ones it does not read.
const IGNORED_PARAMS = [
  'expand',
  'automatic_payment_methods',
  'payment_method_types',
  'return_url',
  'off_session',
];
const CREATE_PARAMS = [
  'amount',
  'currency',
  'payment_method',
  'confirm',
  'metadata',
  'description',
  'receipt_email',
];
const CONFIRMABLE = ['requires_payment_method', 'requires_confirmation'];

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function createPaymentIntent(deps: PaymentDeps, params: Params, request: RequestInfo) {
  rejectUnknown(params, [...CREATE_PARAMS, ...IGNORED_PARAMS]);
  const amount = requireAmount(params, 'amount');
  const currency = requireCurrency(params);
  const paymentMethodId = readString(params, 'payment_method', 255);
  const confirm = readBoolean(params, 'confirm') ?? false;
  const metadata = readMetadata(params);
  const description = readString(params, 'description', 1000) ?? null;
  readString(params, 'receipt_email', 800);
  if (paymentMethodId !== undefined) requirePaymentMethod(paymentMethodId);
  if (confirm && paymentMethodId === undefined) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. " +
        'To confirm the PaymentIntent, provide a payment_method.',
    );
  }
  const pi = deps.ledger.addPaymentIntent({
    amount,
    amount_received: 0,
    currency,
    status: paymentMethodId ? 'requires_confirmation' : 'requires_payment_method',
    payment_method: paymentMethodId ?? null,
    description,
    metadata,
    latest_charge: null,
    last_payment_error: null,
    created: nowSeconds(),
  });
  return confirm && paymentMethodId ? charge(deps, pi, paymentMethodId, request) : paymentIntentObject(pi);
}

export function confirmPaymentIntent(deps: PaymentDeps, id: string, params: Params, request: RequestInfo) {
  rejectUnknown(params, ['payment_method', 'receipt_email', ...IGNORED_PARAMS]);
  const pi = findPaymentIntent(deps, id);
  const paymentMethodId = readString(params, 'payment_method', 255) ?? pi.payment_method;
  if (!CONFIRMABLE.includes(pi.status)) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. ` +
        `Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(', ')}.`,
    );
  }
  if (!paymentMethodId) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. " +
        'To confirm the PaymentIntent, provide a payment_method.',
    );
  }
  return charge(deps, pi, paymentMethodId, request);
}

export function retrievePaymentIntent(deps: PaymentDeps, id: string) {
  return paymentIntentObject(findPaymentIntent(deps, id));
}

function findPaymentIntent(deps: PaymentDeps, id: string): PaymentIntentRecord {
  const pi = deps.ledger.paymentIntent(id);
  if (!pi) throw noSuchResource('payment_intent', id);
  return pi;
}

function requirePaymentMethod(id: string): TestPaymentMethod {
  const method = findTestPaymentMethod(id);
  if (!method) throw noSuchResource('PaymentMethod', id, 'payment_method');
  return method;
}

function charge(deps: PaymentDeps, pi: PaymentIntentRecord, paymentMethodId: string, request: RequestInfo) {
  const method = requirePaymentMethod(paymentMethodId);
  const { outcome } = method;
  const declined = outcome.kind === 'declined' ? outcome : undefined;
  const created = nowSeconds();
  const ch = deps.ledger.addCharge({
    payment_intent: pi.id,
    payment_method: paymentMethodId,
    amount: pi.amount,
    amount_refunded: 0,
    currency: pi.currency,
    status: declined ? 'failed' : 'succeeded',
    failure_code: declined?.code ?? null,
    failure_message: declined?.message ?? null,
    decline_code: declined?.decline_code ?? null,
    description: pi.description,
    metadata: { ...pi.metadata },
    created,
  });
  pi.latest_charge = ch.id;
  if (!declined) {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.payment_method = paymentMethodId;
    pi.last_payment_error = null;
    deps.ledger.savePaymentIntent(pi);
    const object = paymentIntentObject(pi);
    deps.events.emit('payment_intent.succeeded', object, request);
    return object;
  }
  const paymentMethod = paymentMethodObject(paymentMethodId, method, created);
  const docUrl = `https://docs.stripe.com/error-codes/${declined.code.replaceAll('_', '-')}`;
  pi.status = 'requires_payment_method';
  // A declined method is detached from the intent; the error keeps a copy of it.
  pi.payment_method = null;
  const cardError = {
    type: 'card_error',
    code: declined.code,
    ...(declined.decline_code ? { decline_code: declined.decline_code } : {}),
    message: declined.message,
    charge: ch.id,
    doc_url: docUrl,
  } as const;
  pi.last_payment_error = { ...cardError, payment_method: paymentMethod };
  deps.ledger.savePaymentIntent(pi);
  const object = paymentIntentObject(pi);
  deps.events.emit('payment_intent.payment_failed', object, request);
  throw new ProviderError(402, {
    ...cardError,
    payment_intent: object,
    payment_method: paymentMethod,
  });
}
