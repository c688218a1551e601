// Provider webhooks: signed over the raw body, applied once per event id, never moving a
// payment backwards.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import { startPaymentsStack, type PaymentsStack } from './payments-stack.ts';

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack({ webhooks: true, providerTimeoutMs: 5_000, providerMaxRetries: 0 });
});
afterEach(async () => {
  await stack.sim('DELETE', '/_sim/faults');
});
afterAll(async () => {
  await stack?.close();
});

const charge = async (overrides: Record<string, unknown> = {}) => {
  const body = {
    order_id: randomUUID(),
    user_id: randomUUID(),
    attempt: 1,
    amount: '30.00',
    currency: 'USD',
    payment_method: 'pm_card_visa',
    ...overrides,
  };
  const res = await stack.call('POST', '/payments/charges', { token: stack.ordersToken, body });
  return res.body;
};
const statusOf = async (orderId: string) => {
  const res = await stack.call('GET', `/payments/by-order/${orderId}`, { token: stack.ordersToken });
  return res.body[0] as { id: string; status: string; provider_ref: string | null; failure_code?: string };
};

function event(
  type: string,
  object: Record<string, unknown>,
  id = `evt_${randomUUID().replaceAll('-', '')}`,
) {
  return JSON.stringify({
    id,
    object: 'event',
    type,
    api_version: '2026-10-28.endive',
    created: 1,
    data: { object },
  });
}
const intent = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'payment_intent',
  status,
  metadata: {},
  last_payment_error: null,
  ...extra,
});
const deliver = (payload: string, signature?: string) => stack.deliver(payload, signature);

describe('provider webhooks', () => {
  it("settles a charge whose answer was lost from the provider's signed event", async () => {
    await stack.sim('POST', '/_sim/faults', { drop_after_charge_rate: 1 });
    const payment = await charge();
    expect(['pending', 'succeeded']).toContain(payment.status);
    const settled = await eventually(async () => {
      const current = await statusOf(payment.order_id);
      return current.status === 'succeeded' ? current : null;
    });
    const intents = await stack.intentsOf(payment.order_id);
    expect(intents).toHaveLength(1);
    expect(settled.provider_ref).toBe(intents[0]!.id);
  });

  it('rejects events with a bad, foreign or missing signature (400) and changes nothing', async () => {
    const payment = await charge({ payment_method: 'pm_card_chargeDeclined' });
    const payload = event('payment_intent.succeeded', intent(payment.provider_ref, 'succeeded'));
    const answers = [
      await deliver(payload, 't=1,v1=deadbeef'),
      await deliver(payload, stack.sign(payload, 'whsec_someone_else')),
      await deliver(payload.replace('"succeeded"', '"succeeded" '), stack.sign(payload)),
      await stack.call('POST', '/payments/webhooks/provider', {
        raw: payload,
        headers: { 'content-type': 'application/json' },
      }),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await statusOf(payment.order_id)).status).toBe('failed');
  });

  it('applies an event delivered several times, even at once, exactly once', async () => {
    const payment = await charge();
    const charged = await stack.sim('GET', `/v1/payment_intents/${payment.provider_ref}`);
    const payload = event('charge.refunded', {
      id: charged.body.latest_charge,
      object: 'charge',
      payment_intent: payment.provider_ref,
      refunded: true,
      amount: 3000,
      amount_refunded: 3000,
      metadata: {},
    });
    const answers = await Promise.all(Array.from({ length: 4 }, () => deliver(payload)));
    answers.push(await deliver(payload));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const results = answers.map((a) => a.body.result).sort();
    expect(results).toEqual(['applied', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect((await statusOf(payment.order_id)).status).toBe('refunded');
  });

  it('ignores a late failure after the payment succeeded', async () => {
    const payment = await charge();
    const late = event(
      'payment_intent.payment_failed',
      intent(payment.provider_ref, 'requires_payment_method', {
        last_payment_error: {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'generic_decline',
          message: 'no',
        },
      }),
    );
    const res = await deliver(late);
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('stale');
    expect((await statusOf(payment.order_id)).status).toBe('succeeded');
  });

  it('ignores a late success after the payment was refunded', async () => {
    const payment = await charge();
    const refund = await stack.call('POST', '/payments/refunds', {
      token: stack.ordersToken,
      body: { order_id: payment.order_id },
    });
    expect(refund.body.status).toBe('refunded');
    const res = await deliver(event('payment_intent.succeeded', intent(payment.provider_ref, 'succeeded')));
    expect(res.body.result).toBe('stale');
    expect((await statusOf(payment.order_id)).status).toBe('refunded');
  });

  it('records a failure reported by webhook for a payment still pending, with its decline code', async () => {
    await stack.sim('POST', '/_sim/faults', { error_rate: 1 });
    const payment = await charge();
    expect(payment.status).toBe('pending');
    await stack.sim('DELETE', '/_sim/faults');
    const failed = event(
      'payment_intent.payment_failed',
      intent('pi_reported_by_event', 'requires_payment_method', {
        metadata: { payment_id: payment.id, order_id: payment.order_id, attempt: '1' },
        last_payment_error: {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
        },
      }),
    );
    expect((await deliver(failed)).body.result).toBe('applied');
    expect(await statusOf(payment.order_id)).toMatchObject({
      status: 'failed',
      failure_code: 'insufficient_funds',
      provider_ref: 'pi_reported_by_event',
    });
  });

  it('acknowledges event types it does not handle without acting on them', async () => {
    const res = await deliver(event('customer.created', { id: 'cus_123', object: 'customer' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, result: 'ignored' });
  });

  it('acknowledges events about payments it does not know', async () => {
    const res = await deliver(
      event('payment_intent.succeeded', intent('pi_unknown_to_minishop', 'succeeded')),
    );
    expect(res.status).toBe(200);
    expect(res.body.result).toBe('unknown_payment');
  });
});
