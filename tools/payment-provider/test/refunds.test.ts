import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { cardError, charge, newOrderId, startProvider, type Harness } from './provider-harness.ts';

let provider: Harness;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider.close());

describe('refunds', () => {
  it('refunds a payment intent in full and refuses a second refund', async () => {
    const stripe = provider.stripe();
    const pi = await stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_visa', 3000));
    const refund = await stripe.refunds.create({ payment_intent: pi.id, reason: 'requested_by_customer' });

    expect(refund).toMatchObject({
      object: 'refund',
      amount: 3000,
      currency: 'usd',
      status: 'succeeded',
      payment_intent: pi.id,
      charge: pi.latest_charge,
    });
    expect(refund.id).toMatch(/^re_/);
    expect(await stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 3000 });
    await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'charge_already_refunded',
    });
  });

  it('refunds in parts up to the charged amount and no further', async () => {
    const stripe = provider.stripe();
    const pi = await stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_visa', 1000));
    expect((await stripe.refunds.create({ payment_intent: pi.id, amount: 400 })).amount).toBe(400);
    const listed = await provider.admin(
      'GET',
      `/_sim/payment_intents?metadata[order_id]=${pi.metadata.order_id}`,
    );
    expect(listed.body.data[0]).toMatchObject({ id: pi.id, amount_received: 1000, amount_refunded: 400 });
    await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 601 })).rejects.toMatchObject({
      code: 'amount_too_large',
      param: 'amount',
    });
    expect((await stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(600);
  });

  it('refuses to refund a payment intent that was never charged successfully', async () => {
    const stripe = provider.stripe();
    const declined = (
      await cardError(stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_chargeDeclined')))
    ).payment_intent as Stripe.PaymentIntent;

    await expect(stripe.refunds.create({ payment_intent: declined.id })).rejects.toMatchObject({
      statusCode: 400,
      code: 'charge_not_refundable',
    });
    await expect(stripe.refunds.create({ payment_intent: 'pi_unknown' })).rejects.toMatchObject({
      code: 'resource_missing',
      param: 'payment_intent',
    });
  });

  it('replays a refund sent again with the same idempotency key', async () => {
    const stripe = provider.stripe();
    const pi = await stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_visa', 1000));
    const key = `refund-${pi.id}`;
    const first = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 300 },
      { idempotencyKey: key },
    );
    const second = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 300 },
      { idempotencyKey: key },
    );

    expect(second.id).toBe(first.id);
    // Only 300 of 1000 was refunded, so 700 is still refundable.
    expect((await stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(700);
  });
});
