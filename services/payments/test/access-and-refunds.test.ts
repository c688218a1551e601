// Reading payments (owner, admin, services), refunds, and a customer retrying a failed payment
// through Orders (a stand-in here that behaves as Orders' retry endpoint does).
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '@minishop/devstack/service-stack';
import { startPaymentsStack, type PaymentsStack } from './payments-stack.ts';

interface StubOrder {
  user_id: string;
  total: string;
  status: 'payment_failed' | 'paid';
  attempts: number;
}

let stack: PaymentsStack;
let orders: FastifyInstance;
const ordersBook = new Map<string, StubOrder>();
const bearersSeen: string[] = [];

beforeAll(async () => {
  orders = Fastify();
  orders.post<{ Params: { id: string }; Body: { payment_method?: string } }>(
    '/orders/:id/retry-payment',
    async (request, reply) => {
      const bearer = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      bearersSeen.push(bearer);
      const order = ordersBook.get(request.params.id);
      const claims = JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString() || '{}');
      if (!order || order.user_id !== claims.sub) {
        return reply
          .code(404)
          .type('application/problem+json')
          .send({ status: 404, detail: 'order not found' });
      }
      if (order.status !== 'payment_failed') {
        return reply
          .code(409)
          .type('application/problem+json')
          .send({ status: 409, detail: `order is ${order.status}; only a failed payment can be retried` });
      }
      order.attempts += 1;
      const charged = await http(stack.url, 'POST', '/payments/charges', {
        token: stack.ordersToken,
        body: {
          order_id: request.params.id,
          user_id: order.user_id,
          attempt: order.attempts,
          amount: order.total,
          currency: 'USD',
          payment_method: request.body.payment_method ?? 'pm_card_visa',
        },
      });
      if (charged.body.status === 'succeeded') order.status = 'paid';
      return { id: request.params.id, status: order.status, payment_id: charged.body.id };
    },
  );
  await orders.listen({ host: '127.0.0.1', port: 0 });
  const address = orders.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  stack = await startPaymentsStack({ ordersUrl: `http://127.0.0.1:${port}` });
});
afterAll(async () => {
  await stack?.close();
  await orders?.close();
});

async function placeFailedOrder(userId: string, total = '75.50') {
  const orderId = randomUUID();
  ordersBook.set(orderId, { user_id: userId, total, status: 'payment_failed', attempts: 1 });
  const first = await stack.call('POST', '/payments/charges', {
    token: stack.ordersToken,
    body: {
      order_id: orderId,
      user_id: userId,
      attempt: 1,
      amount: total,
      currency: 'USD',
      payment_method: 'pm_card_chargeDeclined',
    },
  });
  expect(first.body.status).toBe('failed');
  return { orderId, failed: first.body };
}

async function paidPayment(userId = randomUUID()) {
  const res = await stack.call('POST', '/payments/charges', {
    token: stack.ordersToken,
    body: { order_id: randomUUID(), user_id: userId, attempt: 1, amount: '19.99', currency: 'USD' },
  });
  expect(res.body.status).toBe('succeeded');
  return res.body;
}

describe('reading a payment', () => {
  it('shows the owner their payment in the public shape', async () => {
    const owner = randomUUID();
    const payment = await paidPayment(owner);
    const res = await stack.call('GET', `/payments/${payment.id}`, {
      token: stack.issuer.customer({ sub: owner }).token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: payment.id,
      order_id: payment.order_id,
      amount: '19.99',
      currency: 'USD',
      status: 'succeeded',
      provider_ref: payment.provider_ref,
      created_at: payment.created_at,
    });
  });

  it("answers 404 for another customer's payment, and shows it to admins and to Orders", async () => {
    const payment = await paidPayment();
    const path = `/payments/${payment.id}`;
    expect((await stack.call('GET', path, { token: stack.issuer.customer().token })).status).toBe(404);
    expect((await stack.call('GET', path, { token: stack.issuer.admin().token })).status).toBe(200);
    expect((await stack.call('GET', path, { token: stack.ordersToken })).status).toBe(200);
    expect((await stack.call('GET', path, { token: stack.issuer.service(['notify:send']) })).status).toBe(
      404,
    );
    expect((await stack.call('GET', path)).status).toBe(401);
    expect(
      (await stack.call('GET', `/payments/${randomUUID()}`, { token: stack.issuer.admin().token })).status,
    ).toBe(404);
  });

  it("lists an order's attempts for Orders and admins only", async () => {
    const payment = await paidPayment();
    const path = `/payments/by-order/${payment.order_id}`;
    expect((await stack.call('GET', path, { token: stack.issuer.customer().token })).status).toBe(403);
    const admin = await stack.call('GET', path, { token: stack.issuer.admin().token });
    expect(admin.status).toBe(200);
    expect(admin.body).toHaveLength(1);
    const unknown = await stack.call('GET', `/payments/by-order/${randomUUID()}`, {
      token: stack.ordersToken,
    });
    expect(unknown.body).toEqual([]);
  });
});

describe('refunds', () => {
  const refund = (orderId: string, token = stack.ordersToken) =>
    stack.call('POST', '/payments/refunds', { token, body: { order_id: orderId } });

  it('refunds the captured payment once, however often it is asked', async () => {
    const payment = await paidPayment();
    const answers = await Promise.all([refund(payment.order_id), refund(payment.order_id)]);
    answers.push(await refund(payment.order_id));
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: payment.id, status: 'refunded', amount: '19.99' });
    }
    const intent = await stack.sim('GET', `/v1/payment_intents/${payment.provider_ref}`);
    const events = await stack.sim('GET', '/_sim/events');
    const refunds = events.body.data.filter(
      (e: { type: string; object_id: string }) =>
        e.type === 'charge.refunded' && e.object_id === intent.body.latest_charge,
    );
    expect(refunds).toHaveLength(1);
  });

  it('refuses to refund an order whose payment failed (409) or that has none (404)', async () => {
    const { orderId } = await placeFailedOrder(randomUUID());
    expect((await refund(orderId)).status).toBe(409);
    expect((await refund(randomUUID())).status).toBe(404);
  });

  it('is for Orders only', async () => {
    const payment = await paidPayment();
    expect((await refund(payment.order_id, stack.issuer.customer().token)).status).toBe(403);
    expect((await refund(payment.order_id, stack.issuer.service(['payments:charge']))).status).toBe(403);
  });
});

describe('a customer retrying a failed payment', () => {
  it('charges the order again for the amount of the order and answers the new payment', async () => {
    const customer = stack.issuer.customer();
    const { orderId, failed } = await placeFailedOrder(customer.id, '75.50');
    const res = await stack.call('POST', '/payments', {
      token: customer.token,
      body: { order_id: orderId, payment_method: 'pm_card_visa' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(
      ['amount', 'created_at', 'currency', 'id', 'order_id', 'provider_ref', 'status'].sort(),
    );
    expect(res.body).toMatchObject({
      order_id: orderId,
      amount: '75.50',
      currency: 'USD',
      status: 'succeeded',
    });
    expect(res.body.id).not.toBe(failed.id);
    expect(bearersSeen).toContain(customer.token);
    expect(await stack.intentsOf(orderId)).toHaveLength(2);

    const again = await stack.call('POST', '/payments', {
      token: customer.token,
      body: { order_id: orderId },
    });
    expect(again.status).toBe(409);
  });

  it("answers 404 for another customer's order", async () => {
    const { orderId } = await placeFailedOrder(randomUUID());
    const res = await stack.call('POST', '/payments', {
      token: stack.issuer.customer().token,
      body: { order_id: orderId },
    });
    expect(res.status).toBe(404);
    expect(await stack.intentsOf(orderId)).toHaveLength(1);
  });

  it('records a second decline as a failed payment', async () => {
    const customer = stack.issuer.customer();
    const { orderId } = await placeFailedOrder(customer.id);
    const res = await stack.call('POST', '/payments', {
      token: customer.token,
      body: { order_id: orderId, payment_method: 'pm_card_chargeDeclinedInsufficientFunds' },
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('failed');
  });

  it('is for signed-in users only and checks its input', async () => {
    const body = { order_id: randomUUID() };
    expect((await stack.call('POST', '/payments', { body })).status).toBe(401);
    expect((await stack.call('POST', '/payments', { token: stack.ordersToken, body })).status).toBe(403);
    const customer = stack.issuer.customer().token;
    for (const bad of [
      {},
      { order_id: 'x' },
      { ...body, amount: '1.00' },
      { ...body, payment_method: 'card' },
    ]) {
      expect((await stack.call('POST', '/payments', { token: customer, body: bad })).status).toBe(422);
    }
  });
});
