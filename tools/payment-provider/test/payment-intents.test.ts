import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { cardError, charge, newOrderId, startProvider, type Harness } from './provider-harness.ts';

let provider: Harness;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider.close());

describe('payment intents through the official SDK', () => {
  it('charges pm_card_visa and reports the payment intent as succeeded', async () => {
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const pi = await stripe.paymentIntents.create(charge(orderId, 'pm_card_visa', 4250));

    expect(pi).toMatchObject({
      object: 'payment_intent',
      amount: 4250,
      amount_received: 4250,
      currency: 'usd',
      status: 'succeeded',
      metadata: { order_id: orderId },
      last_payment_error: null,
    });
    expect(pi.id).toMatch(/^pi_/);
    expect(pi.latest_charge).toMatch(/^ch_/);
    expect(pi.lastResponse.requestId).toMatch(/^req_/);

    const again = await stripe.paymentIntents.retrieve(pi.id);
    expect(again).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 4250 });
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline', 'Your card was declined.'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'Your card has insufficient funds.'],
  ])('declines %s with decline code %s', async (paymentMethod, declineCode, message) => {
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const declined = await cardError(stripe.paymentIntents.create(charge(orderId, paymentMethod)));

    expect(declined.statusCode).toBe(402);
    expect(declined.code).toBe('card_declined');
    expect(declined.decline_code).toBe(declineCode);
    expect(declined.message).toBe(message);
    expect(declined.requestId).toMatch(/^req_/);
    const pi = declined.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: declineCode,
    });

    const stored = await stripe.paymentIntents.retrieve(pi.id);
    expect(stored).toMatchObject({ status: 'requires_payment_method', amount_received: 0 });
    expect(stored.last_payment_error?.decline_code).toBe(declineCode);
    expect(await provider.succeededCharges(orderId)).toBe(0);
  });

  it('lets a declined payment intent be confirmed again with another card', async () => {
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const declined = (
      await cardError(stripe.paymentIntents.create(charge(orderId, 'pm_card_chargeDeclined')))
    ).payment_intent as Stripe.PaymentIntent;

    const confirmed = await stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_visa' });
    expect(confirmed).toMatchObject({ id: declined.id, status: 'succeeded', last_payment_error: null });
    await expect(stripe.paymentIntents.confirm(declined.id)).rejects.toMatchObject({
      code: 'payment_intent_unexpected_state',
    });
  });

  it('creates an unconfirmed payment intent when confirm is not set', async () => {
    const pi = await provider.stripe().paymentIntents.create({ amount: 500, currency: 'EUR' });
    expect(pi).toMatchObject({ status: 'requires_payment_method', currency: 'eur', latest_charge: null });
  });

  it('rejects bad parameters the way Stripe does', async () => {
    const stripe = provider.stripe();
    await expect(
      stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'parameter_missing',
      param: 'amount',
    });
    await expect(stripe.paymentIntents.create({ amount: 0, currency: 'usd' })).rejects.toMatchObject({
      param: 'amount',
      statusCode: 400,
    });
    await expect(stripe.paymentIntents.create({ amount: 12.5, currency: 'usd' })).rejects.toMatchObject({
      code: 'parameter_invalid_integer',
    });
    await expect(
      stripe.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        colour: 'red',
      } as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    await expect(
      stripe.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        payment_method: 'pm_nope',
        confirm: true,
      }),
    ).rejects.toMatchObject({ code: 'resource_missing', param: 'payment_method' });
    await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('refuses requests without the secret key', async () => {
    const error = await provider
      .stripe({ apiKey: 'sk_test_wrong_key_1234' })
      .paymentIntents.create(charge(newOrderId()))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(401);
    expect((error as Stripe.errors.StripeError).message).not.toContain('sk_test_wrong_key_1234');

    const admin = await fetch(`http://127.0.0.1:${provider.port}/_sim/payment_intents`);
    expect(admin.status).toBe(401);
  });
});
