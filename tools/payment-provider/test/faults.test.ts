import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { cardError, charge, newOrderId, startProvider, type Harness } from './provider-harness.ts';

let provider: Harness;
beforeAll(async () => {
  provider = await startProvider();
});
afterEach(() => provider.admin('DELETE', '/_sim/faults'));
afterAll(() => provider.close());

const setFaults = async (faults: Record<string, number>) => {
  const response = await provider.admin('POST', '/_sim/faults', faults);
  expect(response.status).toBe(200);
};

/** A charge with a new order and key made while the faults hold; `error` is what it failed with. */
async function keyedChargeUnder(faults: Record<string, number>) {
  await setFaults(faults);
  const stripe = provider.stripe();
  const orderId = newOrderId();
  const key = randomUUID();
  const error = await stripe.paymentIntents
    .create(charge(orderId), { idempotencyKey: key })
    .catch((e: unknown) => e);
  return { stripe, orderId, key, error };
}

describe('fault injection', () => {
  it('answers 500 before charging when the error rate strikes, and the key stays usable', async () => {
    const { stripe, orderId, key, error } = await keyedChargeUnder({ error_rate: 1 });

    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(500);
    expect(await provider.succeededCharges(orderId)).toBe(0);

    await setFaults({ error_rate: 0 });
    const pi = await stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key });
    expect(pi.status).toBe('succeeded');
    expect(await provider.succeededCharges(orderId)).toBe(1);
  });

  it('still charges when a slow response makes the client give up', async () => {
    await setFaults({ latency_ms: 1500 });
    const orderId = newOrderId();
    const error = await provider
      .stripe({ timeout: 200 })
      .paymentIntents.create(charge(orderId))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    await vi.waitFor(async () => expect(await provider.succeededCharges(orderId)).toBe(1), {
      timeout: 10_000,
    });
  });

  it('cuts the connection after charging; a retry with the same key returns that one charge', async () => {
    const { stripe, orderId, key, error } = await keyedChargeUnder({ drop_after_charge_rate: 1 });
    // The SDK retries a reset connection once on its own; the replay is cut too.
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(await provider.succeededCharges(orderId)).toBe(1);

    const raw = await fetch(`http://127.0.0.1:${provider.port}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_harness_key', 'idempotency-key': randomUUID() },
      body: new URLSearchParams({
        amount: '100',
        currency: 'usd',
        payment_method: 'pm_card_visa',
        confirm: 'true',
      }),
    }).catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(TypeError);

    await setFaults({ drop_after_charge_rate: 0 });
    const replayed = await stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key });
    expect(replayed.status).toBe('succeeded');
    expect(replayed.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(await provider.succeededCharges(orderId)).toBe(1);
  });

  it('keeps declines and reads unaffected by the dropped-connection fault', async () => {
    await setFaults({ drop_after_charge_rate: 1 });
    const stripe = provider.stripe();
    const error = await cardError(
      stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_chargeDeclined')),
    );
    expect(error.statusCode).toBe(402);
    const pi = error.payment_intent as Stripe.PaymentIntent;
    expect((await stripe.paymentIntents.retrieve(pi.id)).id).toBe(pi.id);
  });

  it('delivers every event twice with the same id when duplicates are on', async () => {
    await setFaults({ webhook_duplicate_rate: 1 });
    const pi = await provider.stripe().paymentIntents.create(charge(newOrderId()));
    const deliveries = await vi.waitFor(
      () => {
        const found = provider.receiver.forObject(pi.id);
        if (found.length < 2) throw new Error('waiting for the duplicate');
        return found;
      },
      { timeout: 10_000 },
    );
    expect(deliveries.map((d) => d.event.id)).toEqual([deliveries[0]!.event.id, deliveries[0]!.event.id]);
  });

  it('delivers late events after later ones when a delay is set', async () => {
    const stripe = provider.stripe();
    await setFaults({ webhook_delay_ms: 1500 });
    const pi = await stripe.paymentIntents.create(charge(newOrderId()));
    await setFaults({ webhook_delay_ms: 0 });
    await stripe.refunds.create({ payment_intent: pi.id });

    const types = await vi.waitFor(
      () => {
        const found = [
          ...provider.receiver.forObject(pi.id),
          ...provider.receiver.forObject(pi.latest_charge as string),
        ];
        if (found.length < 2) throw new Error('waiting for both events');
        return provider.receiver.deliveries.filter((d) => found.includes(d)).map((d) => d.event.type);
      },
      { timeout: 10_000 },
    );
    expect(types).toEqual(['charge.refunded', 'payment_intent.succeeded']);
  });

  it('lets the admin API read, change and reset the faults, refusing unknown ones', async () => {
    expect((await provider.admin('GET', '/_sim/faults')).body).toEqual({
      latency_ms: 0,
      error_rate: 0,
      drop_after_charge_rate: 0,
      webhook_duplicate_rate: 0,
      webhook_delay_ms: 0,
    });
    expect((await provider.admin('POST', '/_sim/faults', { error_rate: 0.25 })).body.error_rate).toBe(0.25);
    expect((await provider.admin('POST', '/_sim/faults', { error_rate: 2 })).status).toBe(400);
    expect((await provider.admin('POST', '/_sim/faults', { explode: 1 })).status).toBe(400);
    expect((await provider.admin('DELETE', '/_sim/faults')).body.error_rate).toBe(0);
  });

  it('starts with the faults given in its environment', async () => {
    const faulty = await startProvider({ PROVIDER_ERROR_RATE: '1', PROVIDER_LATENCY_MS: '5' });
    try {
      expect((await faulty.admin('GET', '/_sim/faults')).body).toMatchObject({
        error_rate: 1,
        latency_ms: 5,
      });
      await expect(faulty.stripe().paymentIntents.create(charge(newOrderId()))).rejects.toMatchObject({
        statusCode: 500,
      });
    } finally {
      await faulty.close();
    }
  });
});
