// What a charge and a webhook cost the database, and what operators see: payments by outcome and
// decline code, refunds, and webhooks received and rejected, every series from zero.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECLINE_REASONS } from '../src/domain/payment-metrics.ts';
import { http, metricSeries } from '@minishop/devstack/service-stack';
import { startPaymentsStack, type PaymentsStack } from './payments-stack.ts';

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack();
});
afterAll(async () => {
  await stack?.close();
});

const charge = async (paymentMethod = 'pm_card_visa') => {
  const body = {
    order_id: randomUUID(),
    user_id: randomUUID(),
    attempt: 1,
    amount: '8.00',
    currency: 'USD',
    payment_method: paymentMethod,
  };
  const res = await stack.call('POST', '/payments/charges', { token: stack.ordersToken, body });
  expect(res.status).toBe(201);
  return res.body as { id: string; order_id: string; provider_ref: string; status: string };
};

/** The statements the service sends to its database while `work` runs (first word of each). */
async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
  const pool = stack.pool;
  const original = pool.query;
  const seen: string[] = [];
  pool.query = function (this: typeof pool, ...args: Parameters<typeof original>) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
    seen.push(text.trim().split(/\s+/)[0]!.toUpperCase());
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pool.query = original;
  }
  return seen;
}

const succeeded = (id: string, paymentId: string) =>
  JSON.stringify({
    id: `evt_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    api_version: '2026-10-28.endive',
    created: 1,
    data: {
      object: { id, object: 'payment_intent', status: 'succeeded', metadata: { payment_id: paymentId } },
    },
  });

const series = (name: string) => metricSeries(stack.app, name);
const valueOf = async (name: string, labels: Record<string, string>): Promise<number> =>
  Number((await series(name)).find((s) => Object.entries(labels).every(([k, v]) => s[k] === v))?.value ?? 0);

describe('database work', () => {
  it('charges a new attempt in two statements: the attempt, then the answer, without reading it back', async () => {
    expect(await statementsOf(() => charge())).toEqual(['INSERT', 'UPDATE']);
  });

  it('answers a webhook that repeats its own charge answer without a statement; one it did not write in one, a repeat too', async () => {
    const payment = await charge();
    const payload = succeeded(payment.provider_ref, payment.id);
    let first: unknown;
    expect(await statementsOf(async () => (first = (await stack.deliver(payload)).body))).toEqual([]);
    expect(first).toEqual({ received: true, result: 'stale' });

    // A second replica did not make the charge: it asks the database, and records the event.
    const replica = await stack.replica();
    const deliver = async () =>
      (
        await http(replica, 'POST', '/payments/webhooks/provider', {
          raw: payload,
          headers: { 'content-type': 'application/json', 'stripe-signature': stack.sign(payload) },
        })
      ).body;
    let there: unknown;
    expect(await statementsOf(async () => (there = await deliver()))).toEqual(['WITH']);
    expect(there).toEqual({ received: true, result: 'stale' });
    let again: unknown;
    expect(await statementsOf(async () => (again = await deliver()))).toEqual(['WITH']);
    expect(again).toEqual({ received: true, result: 'duplicate' });
  });
});

describe('payment metrics', () => {
  it('has every outcome, decline code, refund and webhook result from the start, at zero', async () => {
    const fresh = await startPaymentsStack();
    try {
      const payments = await fresh.app.metricsRegistry.getSingleMetric('minishop_payments_total')!.get();
      const labels = payments.values.map((v) => `${v.labels.outcome}/${v.labels.reason}`).sort();
      expect(labels).toEqual(
        ['succeeded/none', 'pending/none', ...[...DECLINE_REASONS, 'other'].map((r) => `failed/${r}`)].sort(),
      );
      expect(payments.values.every((v) => v.value === 0)).toBe(true);
      for (const name of ['minishop_refunds_total', 'minishop_payment_webhooks_total']) {
        const values = (await fresh.app.metricsRegistry.getSingleMetric(name)!.get()).values;
        expect(values.length).toBeGreaterThan(1);
        expect(values.every((v) => v.value === 0)).toBe(true);
      }
    } finally {
      await fresh.close();
    }
  });

  it('counts payments by outcome and decline code', async () => {
    const before = {
      ok: (await valueOf('minishop_payments_total', { outcome: 'succeeded' })) ?? 0,
      funds:
        (await valueOf('minishop_payments_total', { outcome: 'failed', reason: 'insufficient_funds' })) ?? 0,
    };
    await charge();
    expect((await charge('pm_card_chargeDeclinedInsufficientFunds')).status).toBe('failed');
    expect(await valueOf('minishop_payments_total', { outcome: 'succeeded' })).toBe(before.ok + 1);
    expect(
      await valueOf('minishop_payments_total', { outcome: 'failed', reason: 'insufficient_funds' }),
    ).toBe(before.funds + 1);
  });

  it('counts webhooks by result, forged ones as rejected', async () => {
    const payment = await charge();
    const payload = succeeded(payment.provider_ref, payment.id);
    const stale = await valueOf('minishop_payment_webhooks_total', { result: 'stale' });
    const rejected = await valueOf('minishop_payment_webhooks_total', { result: 'rejected' });
    expect((await stack.deliver(payload)).status).toBe(200);
    expect((await stack.deliver(payload, stack.sign(payload, 'whsec_someone_else'))).status).toBe(400);
    expect(await valueOf('minishop_payment_webhooks_total', { result: 'stale' })).toBe(stale + 1);
    expect(await valueOf('minishop_payment_webhooks_total', { result: 'rejected' })).toBe(rejected + 1);
  });

  it('counts refunds', async () => {
    const payment = await charge();
    const before = await valueOf('minishop_refunds_total', { outcome: 'refunded' });
    const res = await stack.call('POST', '/payments/refunds', {
      token: stack.ordersToken,
      body: { order_id: payment.order_id },
    });
    expect(res.body.status).toBe('refunded');
    expect(await valueOf('minishop_refunds_total', { outcome: 'refunded' })).toBe(before + 1);
  });
});
