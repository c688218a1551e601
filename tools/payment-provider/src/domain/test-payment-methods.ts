// The test payment methods Stripe documents, each with the outcome a charge on it has.

export interface CardDetails {
  brand: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  funding: 'credit' | 'debit';
}

export type ChargeOutcome =
  { kind: 'succeeded' } | { kind: 'declined'; code: string; decline_code?: string; message: string };

export interface TestPaymentMethod {
  card: CardDetails;
  outcome: ChargeOutcome;
}

const card = (brand: string, last4: string): CardDetails => ({
  brand,
  last4,
  exp_month: 12,
  exp_year: 2034,
  funding: 'credit',
});

const declined = (decline_code: string, message = 'Your card was declined.'): ChargeOutcome => ({
  kind: 'declined',
  code: 'card_declined',
  decline_code,
  message,
});

const METHODS: Record<string, TestPaymentMethod> = {
  pm_card_visa: { card: card('visa', '4242'), outcome: { kind: 'succeeded' } },
  pm_card_mastercard: { card: card('mastercard', '4444'), outcome: { kind: 'succeeded' } },
  pm_card_amex: { card: card('amex', '8431'), outcome: { kind: 'succeeded' } },
  pm_card_chargeDeclined: { card: card('visa', '0002'), outcome: declined('generic_decline') },
  pm_card_chargeDeclinedInsufficientFunds: {
    card: card('visa', '9995'),
    outcome: declined('insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedLostCard: { card: card('visa', '9987'), outcome: declined('lost_card') },
  pm_card_chargeDeclinedFraudulent: { card: card('visa', '0019'), outcome: declined('fraudulent') },
  pm_card_chargeDeclinedExpiredCard: {
    card: card('visa', '0069'),
    outcome: { kind: 'declined', code: 'expired_card', message: 'Your card has expired.' },
  },
};

export function findTestPaymentMethod(id: string): TestPaymentMethod | undefined {
  return Object.hasOwn(METHODS, id) ? METHODS[id] : undefined;
}

/** The PaymentMethod object as Stripe embeds it in errors. */
export function paymentMethodObject(id: string, method: TestPaymentMethod, created: number) {
  return {
    id,
    object: 'payment_method',
    type: 'card',
    card: { ...method.card, country: 'US' },
    created,
    customer: null,
    livemode: false,
    metadata: {},
  };
}
