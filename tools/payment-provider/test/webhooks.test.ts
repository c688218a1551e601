import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import Stripe from 'stripe';
import {
  WEBHOOK_SECRET,
  cardError,
  charge,
  newOrderId,
  startProvider,
  type Delivery,
  type Harness,
} from './provider-harness.ts';

let provider: Harness;
const verifier = new Stripe('sk_test_unused');

beforeAll(async () => {
  provider = await startProvider();
});
afterEach(() => provider.admin('DELETE', '/_sim/faults'));
afterAll(() => provider.close());

function verified(delivery: Delivery): Stripe.Event {
  return verifier.webhooks.constructEvent(delivery.body, delivery.signature, WEBHOOK_SECRET);
}

async function deliveriesFor(objectId: string, count: number): Promise<Delivery[]> {
  return vi.waitFor(
    () => {
      const found = provider.receiver.forObject(objectId);
      if (found.length < count)
        throw new Error(`only ${found.length} of ${count} deliveries for ${objectId}`);
      return found;
    },
    { timeout: 10_000, interval: 20 },
  );
}

describe('webhooks', () => {
  it('sends payment_intent.succeeded signed so that the SDK accepts it', async () => {
    const orderId = newOrderId();
    const pi = await provider
      .stripe()
      .paymentIntents.create(charge(orderId), { idempotencyKey: `key-${orderId}` });
    const [delivery] = await deliveriesFor(pi.id, 1);

    const event = verified(delivery!);
    expect(event.id).toMatch(/^evt_/);
    expect(event.type).toBe('payment_intent.succeeded');
    expect(event.request).toMatchObject({ idempotency_key: `key-${orderId}` });
    const object = event.data.object as Stripe.PaymentIntent;
    expect(object).toMatchObject({ id: pi.id, status: 'succeeded', metadata: { order_id: orderId } });
  });

  it('sends payment_intent.payment_failed for a declined card', async () => {
    const error = await cardError(
      provider
        .stripe()
        .paymentIntents.create(charge(newOrderId(), 'pm_card_chargeDeclinedInsufficientFunds')),
    );
    const piId = (error.payment_intent as Stripe.PaymentIntent).id;
    const [delivery] = await deliveriesFor(piId, 1);

    const event = verified(delivery!);
    expect(event.type).toBe('payment_intent.payment_failed');
    const object = event.data.object as Stripe.PaymentIntent;
    expect(object.last_payment_error?.decline_code).toBe('insufficient_funds');
  });

  it('sends charge.refunded with the refunded amount', async () => {
    const stripe = provider.stripe();
    const pi = await stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_visa', 1500));
    await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const [delivery] = await deliveriesFor(pi.latest_charge as string, 1);

    const event = verified(delivery!);
    expect(event.type).toBe('charge.refunded');
    expect(event.data.object).toMatchObject({
      object: 'charge',
      payment_intent: pi.id,
      amount_refunded: 500,
      refunded: false,
    });
  });

  it('rejects a delivery whose body was tampered with', async () => {
    const pi = await provider.stripe().paymentIntents.create(charge(newOrderId()));
    const [delivery] = await deliveriesFor(pi.id, 1);
    const tampered = delivery!.body.replace('"succeeded"', '"canceled"');
    expect(() => verifier.webhooks.constructEvent(tampered, delivery!.signature, WEBHOOK_SECRET)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });

  it('retries a delivery the endpoint failed until it succeeds', async () => {
    provider.receiver.failNext(2);
    const pi = await provider.stripe().paymentIntents.create(charge(newOrderId()));
    const [delivery] = await deliveriesFor(pi.id, 1);
    expect(verified(delivery!).type).toBe('payment_intent.succeeded');

    const history = await provider.admin('GET', '/_sim/events');
    const record = history.body.data.find((e: { object_id: string }) => e.object_id === pi.id);
    expect(record.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 200]);
    expect(record.delivered).toBe(1);
  });

  it('serves each event from the events API as it was delivered', async () => {
    const stripe = provider.stripe();
    const pi = await stripe.paymentIntents.create(charge(newOrderId()));
    const [delivery] = await deliveriesFor(pi.id, 1);
    const event = await stripe.events.retrieve(delivery!.event.id);
    expect(event).toMatchObject({ id: delivery!.event.id, type: 'payment_intent.succeeded' });
  });
});
