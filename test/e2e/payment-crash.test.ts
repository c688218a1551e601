// Payments killed right after the provider answered a charge and before it recorded the answer
// (MINISHOP_CRASH_AFTER=provider-answer): the card was charged, Payments' row still says pending.
// Orders repeats the charge, the same idempotency key makes the provider replay its answer, and the
// order ends paid with exactly one charge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type Shop } from '../support/shop.ts';

let shop: Shop;
beforeAll(async () => {
  shop = await startShop();
});
afterAll(() => shop?.stop());

describe('Payments dies between the provider answer and recording it', () => {
  it('ends with the order paid and one charge at the provider', { timeout: 120_000 }, async () => {
    const product = await shop.createProduct({ stock: 3, price: '4.20' });
    const buyer = await shop.newCustomer();
    await shop.addToCart(buyer.token, product.id, 2);

    await shop.stack.restart('payments', { env: { MINISHOP_CRASH_AFTER: 'provider-answer' } });
    const exited = shop.stack.exitOf('payments');
    const answer = await shop.checkout(buyer.token);
    expect((await exited).signal).toBe('SIGKILL');
    // The buyer is answered either way: the order exists and is not paid yet.
    expect([201, 202]).toContain(answer.status);
    expect(answer.body.status).not.toBe('paid');
    await shop.stack.restart('payments');

    const order = await shop.orderReaching(buyer.token, answer.body.id, 'paid', 90_000);
    expect(order.total_price).toBe('8.40');
    expect(await shop.chargesFor(order.id)).toBe(1);
    const payments = await shop.api('GET', `/payments/${order.payment_id}`, { token: buyer.token });
    expect(payments.body).toMatchObject({ status: 'succeeded', amount: '8.40' });
  });
});
