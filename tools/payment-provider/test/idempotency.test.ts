import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { cardError, charge, newOrderId, startProvider, type Harness } from './provider-harness.ts';

let provider: Harness;
beforeAll(async () => {
  provider = await startProvider();
});
afterEach(() => provider.admin('DELETE', '/_sim/faults'));
afterAll(() => provider.close());

describe('idempotency keys', () => {
  it('replays the stored response for a repeated key without charging again', async () => {
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const key = randomUUID();
    const first = await stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key });
    const second = await stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(await provider.succeededCharges(orderId)).toBe(1);
  });

  it('replays a decline for a repeated key instead of trying the card again', async () => {
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const key = randomUUID();
    const attempt = () =>
      cardError(
        stripe.paymentIntents.create(charge(orderId, 'pm_card_chargeDeclined'), { idempotencyKey: key }),
      );
    const first = await attempt();
    const second = await attempt();

    expect(second.statusCode).toBe(402);
    expect((second.payment_intent as Stripe.PaymentIntent).id).toBe(
      (first.payment_intent as Stripe.PaymentIntent).id,
    );
    expect(second.headers?.['idempotent-replayed']).toBe('true');
  });

  it('rejects a key reused with different parameters', async () => {
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const key = randomUUID();
    await stripe.paymentIntents.create(charge(orderId, 'pm_card_visa', 1000), { idempotencyKey: key });
    const error = await stripe.paymentIntents
      .create(charge(orderId, 'pm_card_visa', 2000), { idempotencyKey: key })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(400);
    expect(await provider.succeededCharges(orderId)).toBe(1);
  });

  it('does not keep a key whose request failed validation, so it can be used again', async () => {
    const stripe = provider.stripe();
    const key = randomUUID();
    await expect(
      stripe.paymentIntents.create({ amount: -5, currency: 'usd' }, { idempotencyKey: key }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const pi = await stripe.paymentIntents.create(charge(newOrderId()), { idempotencyKey: key });
    expect(pi.status).toBe('succeeded');
  });

  it('answers 409 to a concurrent request with a key that is still in flight, and charges once', async () => {
    await provider.admin('POST', '/_sim/faults', { latency_ms: 400 });
    const stripe = provider.stripe();
    const orderId = newOrderId();
    const key = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key })),
    );

    const succeeded = results.filter((r) => r.status === 'fulfilled');
    const conflicts = results.flatMap((r) =>
      r.status === 'rejected' ? [r.reason as Stripe.errors.StripeError] : [],
    );
    expect(succeeded).toHaveLength(1);
    expect(conflicts).toHaveLength(4);
    for (const conflict of conflicts)
      expect(conflict).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
    expect(await provider.succeededCharges(orderId)).toBe(1);
  });

  it('gives every concurrent duplicate the same payment intent when the SDK retries conflicts', async () => {
    await provider.admin('POST', '/_sim/faults', { latency_ms: 200 });
    const stripe = provider.stripe({ maxNetworkRetries: 5 });
    const orderId = newOrderId();
    const key = randomUUID();
    const intents = await Promise.all(
      Array.from({ length: 5 }, () => stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key })),
    );

    expect(new Set(intents.map((pi) => pi.id)).size).toBe(1);
    expect(await provider.succeededCharges(orderId)).toBe(1);
  });

  it('forgets keys after their time to live', async () => {
    let now = Date.now();
    const shortLived = await startProvider({ PROVIDER_IDEMPOTENCY_TTL_SECONDS: '60' }, { now: () => now });
    try {
      const stripe = shortLived.stripe();
      const key = randomUUID();
      const first = await stripe.paymentIntents.create(charge(newOrderId()), { idempotencyKey: key });
      now += 60_000;
      const second = await stripe.paymentIntents.create(charge(newOrderId(), 'pm_card_visa', 999), {
        idempotencyKey: key,
      });
      expect(second.id).not.toBe(first.id);
      expect(second.amount).toBe(999);
    } finally {
      await shortLived.close();
    }
  });
});
