// Checkout under failure: the Orders process killed at the worst moments and restarted, a
// payment provider that times out, errs or drops the connection after charging, duplicate
// and late webhooks, and a mail server that is down. Money, stock and orders stay right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startShop, type Customer, type Shop } from '../support/shop.ts';

let shop: Shop;
beforeAll(async () => {
  shop = await startShop({
    componentEnv: {
      payments: { PROVIDER_TIMEOUT_MS: '700', PROVIDER_MAX_RETRIES: '1' },
      orders: { PAYMENT_TIMEOUT_MS: '5000' },
      notifications: { DELIVERY_BACKOFF_BASE_MS: '100', DELIVERY_BACKOFF_MAX_MS: '500' },
    },
  });
});
afterAll(() => shop?.stop());

async function orderOf(buyer: Customer) {
  return eventually(async () => {
    const list = await shop.api('GET', '/orders', { token: buyer.token });
    return list.body.length === 1 ? list.body[0] : undefined;
  }, 'the buyer’s order');
}

const settled = (buyer: Customer, id: string, status?: string) => shop.orderReaching(buyer.token, id, status);

/** Notifications' delivery log for one order's events to this address. */
async function deliveriesOf(email: string, orderId: string): Promise<{ event_id: string; status: string }[]> {
  const res = await shop.api('GET', `/notifications?to=${encodeURIComponent(email)}&limit=100`, {
    token: await shop.adminToken(),
  });
  if (res.status !== 200) throw new Error(`delivery log: ${res.status}`);
  return (res.body as { event_id: string; status: string }[]).filter((d) => d.event_id.startsWith(orderId));
}

/** Waits until the provider has delivered every copy of every webhook about the order's payments. */
async function webhooksDelivered(orderId: string): Promise<void> {
  const intents = await shop.providerRead<{ data: { id: string }[] }>(
    `/_sim/payment_intents?metadata[order_id]=${orderId}`,
  );
  const ids = new Set(intents.data.map((i) => i.id));
  expect(ids.size).toBeGreaterThan(0);
  await eventually(async () => {
    const events = await shop.providerRead<{
      data: { object_id: string | null; copies: number; delivered: number }[];
    }>('/_sim/events');
    const mine = events.data.filter((e) => e.object_id !== null && ids.has(e.object_id));
    return mine.length > 0 && mine.every((e) => e.delivered >= e.copies);
  }, `every webhook about order ${orderId} delivered`);
}

async function shipmentsFor(orderId: string): Promise<number> {
  const res = await shop.api('GET', `/shipping?order_id=${orderId}`, { token: await shop.adminToken() });
  return res.body.length;
}

/** A new customer with one unit of a new product (5 in stock) in the cart. */
async function buyerOfOne() {
  const product = await shop.createProduct({ stock: 5 });
  const buyer = await shop.newCustomer();
  await shop.addToCart(buyer.token, product.id, 1);
  return { product, buyer };
}

/** Runs `work` while the payment provider has these faults, and switches them off again after it. */
async function whileFaulty(faults: Record<string, number>, work: () => Promise<void>): Promise<void> {
  await shop.providerFaults(faults);
  try {
    await work();
  } finally {
    await shop.providerFaults(Object.fromEntries(Object.keys(faults).map((name) => [name, 0])));
  }
}

describe('the Orders process dies mid-checkout', () => {
  it.each(['place', 'reserve', 'charge', 'shipment'])(
    'after the %s step: on restart the order completes with one charge, one shipment and the right stock',
    async (point) => {
      const product = await shop.createProduct({ stock: 5, price: '7.25' });
      const buyer = await shop.newCustomer();
      await shop.addToCart(buyer.token, product.id, 2);

      await shop.stack.restart('orders', { env: { MINISHOP_CRASH_AFTER: point } });
      const exited = shop.stack.exitOf('orders');
      const answer = await shop
        .checkout(buyer.token)
        .catch((err: Error) => ({ status: 0, body: err.message }));
      expect(answer.status).not.toBe(201);
      expect((await exited).signal).toBe('SIGKILL');
      await shop.stack.restart('orders');

      const order = await settled(buyer, (await orderOf(buyer)).id);
      expect(order.total_price).toBe('14.50');
      expect(await shop.chargesFor(order.id)).toBe(1);
      expect(await shipmentsFor(order.id)).toBe(1);
      expect(await shop.stockOf(product.id)).toBe(3);
      await eventually(async () => {
        const cart = await shop.api('GET', '/cart', { token: buyer.token });
        return cart.body.items.length === 0 ? true : undefined;
      }, 'the cart to be emptied');
      const subjects = await eventually(async () => {
        const mail = (await shop.mailTo(buyer.email)).map((m) => m.Subject);
        return mail.filter((s) => /received|confirmed/.test(s)).length === 2 ? mail : undefined;
      }, 'the order emails');
      expect(subjects.filter((s) => s.includes('received'))).toHaveLength(1);
    },
  );
});

describe('the payment provider misbehaves', () => {
  it('never charges twice when the connection drops after charging', async () => {
    const { product, buyer } = await buyerOfOne();
    await whileFaulty({ drop_after_charge_rate: 1 }, async () => {
      const res = await shop.checkout(buyer.token);
      expect(res.status).toBe(201);
      expect(['pending', 'paid']).toContain(res.body.status);
    });
    const order = await settled(buyer, (await orderOf(buyer)).id);
    expect(await shop.chargesFor(order.id)).toBe(1);
    expect(await shop.stockOf(product.id)).toBe(4);
  });

  it('never charges twice when the provider answers slower than Payments waits', async () => {
    const { buyer } = await buyerOfOne();
    await whileFaulty({ latency_ms: 1500 }, async () => {
      const res = await shop.checkout(buyer.token);
      expect(res.status).toBe(201);
    });
    const order = await settled(buyer, (await orderOf(buyer)).id);
    expect(await shop.chargesFor(order.id)).toBe(1);
  });

  it('completes every checkout with exactly one charge while half the provider calls fail', async () => {
    const product = await shop.createProduct({ stock: 20 });
    const buyers = await Promise.all(Array.from({ length: 6 }, () => shop.newCustomer()));
    await Promise.all(buyers.map((b) => shop.addToCart(b.token, product.id, 1)));
    await whileFaulty({ error_rate: 0.5 }, async () => {
      const results = await Promise.all(buyers.map((b) => shop.checkout(b.token)));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(201));
    });
    for (const buyer of buyers) {
      const order = await settled(buyer, (await orderOf(buyer)).id);
      expect(await shop.chargesFor(order.id)).toBe(1);
    }
    expect(await shop.stockOf(product.id)).toBe(14);
  });

  it('applies duplicate and late webhooks once and never moves a payment back', async () => {
    const { buyer } = await buyerOfOne();
    await whileFaulty({ webhook_duplicate_rate: 1, webhook_delay_ms: 800 }, async () => {
      const order = (await shop.checkout(buyer.token)).body;
      expect(order.status).toBe('paid');
      const cancelled = await shop.api('POST', `/orders/${order.id}/cancel`, { token: buyer.token });
      expect(cancelled.body.status).toBe('cancelled');
      // The late "succeeded" webhooks arrive after the refund: once every copy of every webhook of
      // this payment has been delivered (Payments answered 2xx), it must still be refunded.
      await webhooksDelivered(order.id);
      const payment = await shop.api('GET', `/payments/${order.payment_id}`, { token: buyer.token });
      expect(payment.body.status).toBe('refunded');
      expect(await shop.chargesFor(order.id, 'succeeded')).toBe(1);
    });
  });
});

describe('the mail server is down', () => {
  it('lets checkouts succeed and delivers each email once when it is back', async () => {
    const { buyer } = await buyerOfOne();
    await shop.mailChaos({ Sender: { ErrorCode: 451, Probability: 100 } });
    let orderId = '';
    try {
      const res = await shop.checkout(buyer.token);
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('paid');
      orderId = res.body.id;
      const ref = orderId.slice(0, 8).toUpperCase();
      expect((await shop.mailTo(buyer.email)).filter((m) => m.Subject.includes(ref))).toEqual([]);
    } finally {
      await shop.mailChaos({});
    }
    const ref = orderId.slice(0, 8).toUpperCase();
    // Once Notifications has nothing left to send for the order, no further email can come.
    await eventually(async () => {
      const log = await deliveriesOf(buyer.email, orderId);
      return log.length === 2 && log.every((d) => d.status === 'sent') ? log : undefined;
    }, 'both order emails sent and nothing left to send');
    const after = (await shop.mailTo(buyer.email)).map((m) => m.Subject).filter((s) => s.includes(ref));
    expect(after.sort()).toEqual([`Order ${ref} received`, `Payment confirmed for order ${ref}`]);
  });
});
