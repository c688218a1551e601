// The provider misbehaving: errors, answers slower than the timeout, connections cut after the
// card was charged. Whatever happens, an attempt is charged at most once, and repeating the
// same call later completes it.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http } from '@minishop/devstack/service-stack';
import { eventually } from '@minishop/devstack/testing';
import { startPaymentsStack, type PaymentsStack } from './payments-stack.ts';

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack({ providerTimeoutMs: 1_000, providerMaxRetries: 2 });
});
afterEach(async () => {
  await stack.sim('DELETE', '/_sim/faults');
});
afterAll(async () => {
  await stack?.close();
});

const newCharge = () => ({
  order_id: randomUUID(),
  user_id: randomUUID(),
  attempt: 1,
  amount: '64.00',
  currency: 'USD',
  payment_method: 'pm_card_visa',
});
const charge = (body: unknown) => stack.call('POST', '/payments/charges', { token: stack.ordersToken, body });
/** Repeats the same charge call, as Orders does, until the attempt has a final outcome. */
const chargeUntilSettled = (body: unknown) =>
  eventually(async () => {
    const res = await charge(body);
    return res.body.status === 'pending' ? null : res;
  });
const faults = async (patch: Record<string, number>) => {
  const res = await stack.sim('POST', '/_sim/faults', patch);
  expect(res.status).toBe(200);
};

/** A new charge made while the fault holds, which Payments keeps pending (201) for lack of an answer. */
async function pendingUnder(fault: Record<string, number>) {
  await faults(fault);
  const body = newCharge();
  const pending = await charge(body);
  expect(pending.status).toBe(201);
  expect(pending.body.status).toBe('pending');
  return { body, pending };
}

describe('provider faults', () => {
  it('keeps the attempt pending while the provider answers 5xx, then charges it once when it recovers', async () => {
    await faults({ error_rate: 1 });
    const body = newCharge();
    const during = await charge(body);
    expect(during.status).toBe(201);
    expect(during.body).toMatchObject({ status: 'pending', provider_ref: null });
    expect(await stack.intentsOf(body.order_id)).toHaveLength(0);

    await stack.sim('DELETE', '/_sim/faults');
    const after = await chargeUntilSettled(body);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: during.body.id, status: 'succeeded' });
    const intents = await stack.intentsOf(body.order_id);
    expect(intents).toHaveLength(1);
    expect(intents[0]!.amount).toBe(6400);
  });

  it('never charges twice when the provider answers slower than the timeout', async () => {
    const { body, pending: slow } = await pendingUnder({ latency_ms: 2_500 });

    await stack.sim('DELETE', '/_sim/faults');
    const settled = await chargeUntilSettled(body);
    expect(settled.body.id).toBe(slow.body.id);
    const intents = await stack.intentsOf(body.order_id);
    expect(intents).toHaveLength(1);
    expect(intents[0]!.id).toBe(settled.body.provider_ref);
  });

  it('never charges twice when the connection is cut after the card was charged', async () => {
    const { body } = await pendingUnder({ drop_after_charge_rate: 1 });
    // The provider did charge the card; Payments just never heard back.
    expect(await stack.intentsOf(body.order_id)).toHaveLength(1);

    await stack.sim('DELETE', '/_sim/faults');
    const after = await chargeUntilSettled(body);
    expect(after.body.status).toBe('succeeded');
    const intents = await stack.intentsOf(body.order_id);
    expect(intents).toHaveLength(1);
    expect(after.body.provider_ref).toBe(intents[0]!.id);
  });

  it('makes one charge when two replicas receive the same attempt at the same time', async () => {
    const replicaUrl = await stack.replica();
    await faults({ latency_ms: 100 });
    const body = newCharge();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? charge(body)
          : http(replicaUrl, 'POST', '/payments/charges', { token: stack.ordersToken, body }),
      ),
    );
    await stack.sim('DELETE', '/_sim/faults');
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const settled = await chargeUntilSettled(body);
    const intents = await stack.intentsOf(body.order_id);
    expect(intents).toHaveLength(1);
    expect(intents[0]!.id).toBe(settled.body.provider_ref);
  });

  it('reports a refund the provider could not confirm as 503 and completes it on a repeat', async () => {
    const body = newCharge();
    expect((await chargeUntilSettled(body)).body.status).toBe('succeeded');
    await faults({ error_rate: 1 });
    const refund = (token = stack.ordersToken) =>
      stack.call('POST', '/payments/refunds', { token, body: { order_id: body.order_id } });
    const during = await refund();
    expect(during.status).toBe(503);
    expect(during.headers.get('content-type')).toContain('application/problem+json');

    await stack.sim('DELETE', '/_sim/faults');
    const after = await refund();
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('refunded');
  });
});
