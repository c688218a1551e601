// One checkout followed by its request id alone, with tracing off: the id the client gives the
// gateway reaches every service the checkout calls, and each of them logs its part under it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startShop, type Shop } from '../support/shop.ts';

const FOLLOWED = ['auth', 'cart', 'catalog', 'payments', 'shipping'] as const;
const lines: string[] = [];
let shop: Shop;

beforeAll(async () => {
  // Access lines are written at debug.
  const debug = { LOG_LEVEL: 'debug' };
  shop = await startShop({
    print: (line) => lines.push(line),
    componentEnv: Object.fromEntries(FOLLOWED.map((name) => [name, debug])),
  });
});
afterAll(() => shop?.stop());

/** The lines a process wrote that mention the text. */
const linesOf = (name: string, text: string) =>
  lines.filter((line) => line.startsWith(`${name} `) && line.includes(text));

describe('a checkout followed by its request id', () => {
  it('shows the id in the logs of auth, cart, catalog, payments and shipping', async () => {
    const customer = await shop.newCustomer();
    const product = await shop.createProduct({ stock: 5 });
    await shop.addToCart(customer.token, product.id, 2);
    const requestId = `checkout-${randomUUID()}`;

    // The first checkout of this stack: Orders fetches its service token from Auth for it.
    const res = await shop.checkout(customer.token, { headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const order = await shop.orderReaching(customer.token, res.body.id);
    expect(order.total_price).toBe('24.68');

    for (const name of FOLLOWED) {
      await eventually(async () => linesOf(name, `reqId=${requestId}`).length > 0, `${name} to log the id`);
    }
    // And the parts that follow from it: the reservation, the charge and the shipment.
    expect(linesOf('catalog', requestId).join('\n')).toMatch(/method=POST url=\/catalog\/reservations /);
    expect(linesOf('payments', requestId).join('\n')).toMatch(/method=POST url=\/payments\/charges /);
    expect(linesOf('shipping', requestId).join('\n')).toMatch(/method=POST url=\/shipping /);
    expect(linesOf('auth', requestId).join('\n')).toMatch(/method=POST url=\/auth\/token /);
  });
});
