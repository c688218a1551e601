import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentsStack, type PaymentsStack } from './payments-stack.ts';

let stack: PaymentsStack;
beforeAll(async () => {
  stack = await startPaymentsStack();
});
afterAll(async () => {
  await stack?.close();
});

function chargeBody(overrides: Record<string, unknown> = {}) {
  return {
    order_id: randomUUID(),
    user_id: randomUUID(),
    attempt: 1,
    amount: '19.99',
    currency: 'USD',
    payment_method: 'pm_card_visa',
    ...overrides,
  };
}

const charge = (body: unknown, token = stack.ordersToken) =>
  stack.call('POST', '/payments/charges', { token, body });

describe('charging an order attempt', () => {
  it('charges the exact amount of the order and reports the payment as succeeded', async () => {
    const body = chargeBody({ amount: '123.45' });
    const res = await charge(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      order_id: body.order_id,
      attempt: 1,
      amount: '123.45',
      currency: 'USD',
      status: 'succeeded',
    });
    expect(res.body.provider_ref).toMatch(/^pi_/);
    const intents = await stack.intentsOf(body.order_id);
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({
      id: res.body.provider_ref,
      amount: 12345,
      currency: 'usd',
      status: 'succeeded',
    });
    expect(intents[0]!.metadata).toMatchObject({
      order_id: body.order_id,
      attempt: '1',
      payment_id: res.body.id,
    });
  });

  it('accepts the amount as a number with two decimals', async () => {
    const res = await charge(chargeBody({ amount: 12.5 }));
    expect(res.status).toBe(201);
    expect(res.body.amount).toBe('12.50');
  });

  it.each([
    ['pm_card_chargeDeclined', 'generic_decline'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds'],
  ])('records a decline on %s as failed with the decline code %s', async (method, code) => {
    const body = chargeBody({ payment_method: method });
    const res = await charge(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'failed', failure_code: code });
    expect(res.body.failure_message).toEqual(expect.any(String));
    expect(res.body.provider_ref).toMatch(/^pi_/);
    expect(await stack.intentsOf(body.order_id)).toHaveLength(1);
  });

  it('answers a repeated call with the stored attempt without charging again', async () => {
    const body = chargeBody();
    const first = await charge(body);
    const again = await charge(body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await stack.intentsOf(body.order_id)).toHaveLength(1);
  });

  it('makes one provider charge when the same attempt is sent 8 times at once', async () => {
    const body = chargeBody({ amount: '42.00' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => charge(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.body.status === 'succeeded')).toBe(true);
    const intents = await stack.intentsOf(body.order_id);
    expect(intents).toHaveLength(1);
    expect(intents[0]!.amount).toBe(4200);
  });

  it('charges a new attempt of the same order separately', async () => {
    const first = chargeBody({ payment_method: 'pm_card_chargeDeclined' });
    expect((await charge(first)).body.status).toBe('failed');
    const second = await charge({ ...first, attempt: 2, payment_method: 'pm_card_visa' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ attempt: 2, status: 'succeeded' });
    expect(await stack.intentsOf(first.order_id)).toHaveLength(2);

    const list = await stack.call('GET', `/payments/by-order/${first.order_id}`, {
      token: stack.ordersToken,
    });
    expect(list.status).toBe(200);
    expect(list.body.map((p: { attempt: number; status: string }) => [p.attempt, p.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
  });

  it('rejects the same attempt with a different amount instead of charging it', async () => {
    const body = chargeBody();
    await charge(body);
    const res = await charge({ ...body, amount: '1.00' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await stack.intentsOf(body.order_id)).toHaveLength(1);
  });

  it('fails an attempt whose payment method the provider does not know', async () => {
    const res = await charge(chargeBody({ payment_method: 'pm_card_nonexistent' }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('failed');
    expect(res.body.failure_code).toEqual(expect.any(String));
  });
});

describe('who may charge', () => {
  it('refuses customers and admins (403) and callers without a token (401)', async () => {
    const customer = stack.issuer.customer();
    expect((await charge(chargeBody({ user_id: customer.id }), customer.token)).status).toBe(403);
    expect((await charge(chargeBody(), stack.issuer.admin().token)).status).toBe(403);
    expect((await charge(chargeBody(), stack.issuer.service(['payments:read']))).status).toBe(403);
    expect((await stack.call('POST', '/payments/charges', { body: chargeBody() })).status).toBe(401);
  });
});

describe('bad input', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['a zero amount', { amount: '0' }],
    ['a negative amount', { amount: '-5.00' }],
    ['three decimals', { amount: '19.999' }],
    ['an amount as text', { amount: 'ten' }],
    ['attempt 0', { attempt: 0 }],
    ['attempt as a string', { attempt: '1' }],
    ['another currency', { currency: 'EUR' }],
    ['an order id that is not a UUID', { order_id: 'order-1' }],
    ['a payment method that is not one', { payment_method: 'visa' }],
    ['an unknown field', { discount: '5.00' }],
  ];
  it.each(cases)('rejects a charge with %s (422)', async (_name, overrides) => {
    const body = chargeBody(overrides);
    const res = await charge(body);
    expect(res.status).toBe(422);
    expect(res.body.type).toEqual(expect.any(String));
  });

  it('rejects malformed JSON with 400 and never answers 5xx to junk', async () => {
    const malformed = await stack.call('POST', '/payments/charges', {
      token: stack.ordersToken,
      raw: '{"order_id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    const junk = [
      stack.call('GET', '/payments/not-a-uuid', { token: stack.issuer.admin().token }),
      stack.call('GET', '/payments/by-order/not-a-uuid', { token: stack.ordersToken }),
      stack.call('POST', '/payments/refunds', { token: stack.ordersToken, body: { order_id: 7 } }),
      stack.call('POST', '/payments', { token: stack.issuer.customer().token, body: { order: 'x' } }),
      stack.call('POST', '/payments/charges', { token: stack.ordersToken, body: [] }),
      stack.call('POST', '/payments/charges', { token: stack.ordersToken, body: null }),
    ];
    for (const res of await Promise.all(junk)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
