// A whole purchase through the gateway against every service running as its own process:
// the happy path, a declined card and its retry, shipping updates, cancellation, contention
// for the last units, idempotent replays, ownership and bad input.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS, call, eventually, startShop, type Shop } from '../support/shop.ts';

let shop: Shop;
beforeAll(async () => {
  shop = await startShop();
});
afterAll(() => shop?.stop());

const subjectsOf = async (email: string) => (await shop.mailTo(email)).map((m) => m.Subject);

async function mailWith(email: string, word: string): Promise<string[]> {
  return eventually(async () => {
    const subjects = await subjectsOf(email);
    return subjects.some((s) => s.toLowerCase().includes(word)) ? subjects : undefined;
  }, `an email about "${word}" to ${email}`);
}

describe('a purchase', () => {
  it('charges the catalog total, ships, takes the stock, empties the cart and sends the emails', async () => {
    const product = await shop.createProduct({ price: '12.34', stock: 10 });
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 2);

    const res = await shop.checkout(buyer.token);
    expect(res.status).toBe(201);
    const order = res.body;
    expect(order).toMatchObject({ status: 'paid', total_price: '24.68', currency: 'USD', user_id: buyer.id });
    expect(order.items).toEqual([
      {
        product_id: product.id,
        name: expect.any(String),
        unit_price: '12.34',
        quantity: 2,
        line_total: '24.68',
      },
    ]);

    const payment = await shop.api('GET', `/payments/${order.payment_id}`, { token: buyer.token });
    expect(payment.body).toMatchObject({ order_id: order.id, amount: '24.68', status: 'succeeded' });
    expect(await shop.chargesFor(order.id)).toBe(1);

    const shipment = await shop.api('GET', `/shipping/${order.shipment_id}`, { token: buyer.token });
    expect(shipment.body).toMatchObject({ order_id: order.id, status: 'label_created' });
    expect(shipment.body.tracking_number).toMatch(/^\w{6,}$/);

    expect(await shop.stockOf(product.id)).toBe(8);
    const cart = await shop.api('GET', '/cart', { token: buyer.token });
    expect(cart.body.items).toEqual([]);

    const detail = await shop.api('GET', `/orders/${order.id}`, { token: buyer.token });
    expect(detail.body.history.map((h: { status: string }) => h.status)).toEqual(['pending', 'paid']);

    await mailWith(buyer.email, 'confirmed');
    const subjects = await mailWith(buyer.email, 'received');
    const ref = order.id.slice(0, 8).toUpperCase();
    expect(subjects.filter((s) => s.includes(ref)).sort()).toEqual([
      `Order ${ref} received`,
      `Payment confirmed for order ${ref}`,
    ]);
    expect(subjects).toContain('Verify your email address');
  });

  it('marks a declined payment failed, gives the stock back, and lets the buyer pay again', async () => {
    const product = await shop.createProduct({ price: '5.00', stock: 3 });
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 3);

    const res = await shop.checkout(buyer.token, { paymentMethod: 'pm_card_chargeDeclined' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'payment_failed', shipment_id: null });
    expect(await shop.stockOf(product.id)).toBe(3);
    expect(await shop.chargesFor(res.body.id)).toBe(0);
    await mailWith(buyer.email, 'fail');

    const retry = await shop.api('POST', '/payments', {
      token: buyer.token,
      body: { order_id: res.body.id, payment_method: 'pm_card_visa' },
    });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ order_id: res.body.id, status: 'succeeded', amount: '15.00' });
    const order = await shop.api('GET', `/orders/${res.body.id}`, { token: buyer.token });
    expect(order.body.status).toBe('paid');
    expect(order.body.shipment_id).toEqual(expect.any(String));
    expect(await shop.stockOf(product.id)).toBe(0);
    expect(await shop.chargesFor(res.body.id)).toBe(1);
  });

  it('follows the shipment to delivery and emails each step', async () => {
    const product = await shop.createProduct();
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 1);
    const order = (await shop.checkout(buyer.token)).body;
    const admin = await shop.adminToken();

    for (const status of ['in_transit', 'delivered']) {
      const res = await shop.api('PATCH', `/shipping/${order.shipment_id}`, {
        token: admin,
        body: { status },
      });
      expect(res.status).toBe(200);
    }
    await shop.orderReaching(buyer.token, order.id, 'delivered');
    await mailWith(buyer.email, 'shipped');
    await mailWith(buyer.email, 'delivered');
  });

  it('cancels a paid order before it ships: refunded, stock back, shipment cancelled', async () => {
    const product = await shop.createProduct({ stock: 4 });
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 2);
    const order = (await shop.checkout(buyer.token)).body;
    expect(await shop.stockOf(product.id)).toBe(2);

    const res = await shop.api('POST', `/orders/${order.id}/cancel`, { token: buyer.token });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(await shop.stockOf(product.id)).toBe(4);
    const payment = await shop.api('GET', `/payments/${order.payment_id}`, { token: buyer.token });
    expect(payment.body.status).toBe('refunded');
    const shipment = await shop.api('GET', `/shipping/${order.shipment_id}`, { token: buyer.token });
    expect(shipment.body.status).toBe('cancelled');
    await mailWith(buyer.email, `order ${order.id.slice(0, 8).toLowerCase()} was cancelled`);
    expect((await shop.api('POST', `/orders/${order.id}/cancel`, { token: buyer.token })).body.status).toBe(
      'cancelled',
    );
  });

  it('refuses to cancel an order that has shipped', async () => {
    const product = await shop.createProduct();
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 1);
    const order = (await shop.checkout(buyer.token)).body;
    await shop.api('PATCH', `/shipping/${order.shipment_id}`, {
      token: await shop.adminToken(),
      body: { status: 'in_transit' },
    });
    await shop.orderReaching(buyer.token, order.id, 'shipped');
    const res = await shop.api('POST', `/orders/${order.id}/cancel`, { token: buyer.token });
    expect(res.status).toBe(409);
  });

  it('answers 409 for an empty cart', async () => {
    const buyer = await shop.newCustomer();
    const res = await shop.checkout(buyer.token);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('many buyers at once', () => {
  it('sells the last 5 units to exactly 5 of 20 buyers; the rest get 409', async () => {
    const product = await shop.createProduct({ stock: 5, price: '3.50' });
    const buyers = await Promise.all(Array.from({ length: 20 }, () => shop.newCustomer()));
    await Promise.all(buyers.map((b) => shop.addToCart(b.token, product.id, 1)));

    const results = await Promise.all(buyers.map((b) => shop.checkout(b.token)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    expect(results.filter((r) => r.status === 201).every((r) => r.body.status === 'paid')).toBe(true);
    expect(await shop.stockOf(product.id)).toBe(0);
    const conflict = results.find((r) => r.status === 409)!;
    expect(conflict.body.short).toEqual([{ product_id: product.id, requested: 1, available: 0 }]);
  });

  it('makes one order and one charge from 8 simultaneous requests with the same Idempotency-Key', async () => {
    const product = await shop.createProduct({ stock: 10 });
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 2);
    const key = randomUUID();

    const results = await Promise.all(Array.from({ length: 8 }, () => shop.checkout(buyer.token, { key })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const orderId = [...ids][0]!;
    expect(await shop.chargesFor(orderId)).toBe(1);
    expect(await shop.stockOf(product.id)).toBe(8);
    const list = await shop.api('GET', '/orders', { token: buyer.token });
    expect(list.body.map((o: { id: string }) => o.id)).toEqual([orderId]);

    const replay = await shop.checkout(buyer.token, { key });
    expect(replay.body.id).toBe(orderId);
    const other = await shop.checkout(buyer.token, {
      key,
      address: { ...ADDRESS, city: 'Paris', country: 'FR' },
    });
    expect(other.status).toBe(422);
  });
});

describe('ownership and roles', () => {
  it('hides one buyer’s order, payment and shipment from another', async () => {
    const product = await shop.createProduct();
    const owner = await shop.newCustomer();
    const stranger = await shop.newCustomer();
    await shop.addToCart(owner.token, product.id, 1);
    const order = (await shop.checkout(owner.token)).body;

    expect((await shop.api('GET', `/orders/${order.id}`, { token: stranger.token })).status).toBe(404);
    expect((await shop.api('POST', `/orders/${order.id}/cancel`, { token: stranger.token })).status).toBe(
      404,
    );
    expect((await shop.api('GET', `/payments/${order.payment_id}`, { token: stranger.token })).status).toBe(
      404,
    );
    expect((await shop.api('GET', `/shipping/${order.shipment_id}`, { token: stranger.token })).status).toBe(
      404,
    );
    expect((await shop.api('GET', '/orders', { token: stranger.token })).body).toEqual([]);
    const asAdmin = await shop.api('GET', `/orders/${order.id}`, { token: await shop.adminToken() });
    expect(asAdmin.status).toBe(200);
  });

  it('does not let customers send notifications or create shipments', async () => {
    const buyer = await shop.newCustomer();
    const event = { event_id: randomUUID(), type: 'OrderPlaced', to: buyer.email, data: {} };
    // The gateway does not route /notify at all; Notifications itself refuses a customer's token.
    expect((await shop.api('POST', '/notify', { token: buyer.token, body: event })).status).toBe(404);
    const notify = await call(shop.stack.urls.services.notifications, 'POST', '/notify', {
      token: buyer.token,
      body: event,
    });
    expect(notify.status).toBe(403);
    const ship = await shop.api('POST', '/shipping', {
      token: buyer.token,
      body: { order_id: randomUUID(), user_id: buyer.id, address: ADDRESS },
    });
    expect(ship.status).toBe(403);
    expect((await shop.api('POST', '/orders', { body: { shipping_address: ADDRESS } })).status).toBe(401);
  });
});

describe('bad input', () => {
  it('answers every malformed checkout with a 4xx problem and changes nothing', async () => {
    const product = await shop.createProduct({ stock: 3 });
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 1);
    const bodies: unknown[] = [
      {},
      { shipping_address: { ...ADDRESS, country: 'Great Britain' } },
      { shipping_address: { ...ADDRESS, name: '' } },
      { shipping_address: ADDRESS, total_price: '0.01' },
      { shipping_address: ADDRESS, user_id: randomUUID() },
      { shipping_address: ADDRESS, payment_method: "pm_card_visa'; DROP TABLE orders; --" },
      { shipping_address: 'somewhere' },
      [],
    ];
    for (const body of bodies) {
      const res = await shop.api('POST', '/orders', { token: buyer.token, body });
      expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
    }
    const malformed = await shop.api('POST', '/orders', {
      token: buyer.token,
      raw: '{"shipping_address": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    for (const url of ['/orders/not-a-uuid', '/payments/1', '/shipping/%27%20OR%201=1']) {
      const res = await shop.api('GET', url, { token: buyer.token });
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.status, url).toBeLessThan(500);
    }
    expect(await shop.stockOf(product.id)).toBe(3);
    expect((await shop.api('GET', '/orders', { token: buyer.token })).body).toEqual([]);
  });
});
