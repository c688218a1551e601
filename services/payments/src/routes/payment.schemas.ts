// The Payments API's shapes: one schema each for validation, serialization, OpenAPI and types.
import { Type, type Static } from '@sinclair/typebox';
import { formatMoney } from '@minishop/kit/money';
import { Currency, Money, MoneyInput, Timestamp, Uuid } from '@minishop/kit/schemas';
import type { PaymentRecord } from '../data/payments.repository.ts';

export const PaymentStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
  Type.Literal('refunded'),
]);

/** A payment method id of the provider, e.g. pm_card_visa. */
export const PaymentMethod = Type.String({ pattern: '^pm_[A-Za-z0-9_]{1,100}$', examples: ['pm_card_visa'] });

export const PaymentResponse = Type.Object({
  id: Uuid,
  order_id: Uuid,
  amount: Money,
  currency: Type.String(),
  status: PaymentStatus,
  provider_ref: Type.Union([Type.String(), Type.Null()], {
    description: 'the provider payment intent id (pi_…)',
  }),
  created_at: Timestamp,
});
export type PaymentResponse = Static<typeof PaymentResponse>;

/** What services see: the public shape plus the attempt number and why it failed. */
export const PaymentDetails = Type.Composite([
  PaymentResponse,
  Type.Object({
    attempt: Type.Integer(),
    failure_code: Type.Optional(Type.String({ description: 'the decline code, e.g. insufficient_funds' })),
    failure_message: Type.Optional(Type.String()),
    updated_at: Timestamp,
  }),
]);
export type PaymentDetails = Static<typeof PaymentDetails>;

export const ChargeBody = Type.Object(
  {
    order_id: Uuid,
    user_id: Uuid,
    attempt: Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: 'one provider idempotency key per attempt',
    }),
    amount: MoneyInput,
    currency: Currency,
    payment_method: Type.Optional(PaymentMethod),
  },
  { additionalProperties: false },
);
export type ChargeBody = Static<typeof ChargeBody>;

export const RefundBody = Type.Object({ order_id: Uuid }, { additionalProperties: false });
export type RefundBody = Static<typeof RefundBody>;

export const RetryBody = Type.Object(
  { order_id: Uuid, payment_method: Type.Optional(PaymentMethod) },
  { additionalProperties: false },
);
export type RetryBody = Static<typeof RetryBody>;

export const OrderParams = Type.Object({ order_id: Uuid }, { additionalProperties: false });

export const WebhookAck = Type.Object({
  received: Type.Boolean(),
  result: Type.String({ description: 'applied, stale, duplicate, ignored or unknown_payment' }),
});

export function toPaymentResponse(payment: PaymentRecord): PaymentResponse {
  return {
    id: payment.id,
    order_id: payment.order_id,
    amount: formatMoney(payment.amount_cents),
    currency: payment.currency,
    status: payment.status,
    provider_ref: payment.provider_ref,
    created_at: payment.created_at.toISOString(),
  };
}

export function toPaymentDetails(payment: PaymentRecord): PaymentDetails {
  return {
    ...toPaymentResponse(payment),
    attempt: payment.attempt,
    ...(payment.failure_code ? { failure_code: payment.failure_code } : {}),
    ...(payment.failure_message ? { failure_message: payment.failure_message } : {}),
    updated_at: payment.updated_at.toISOString(),
  };
}
