// One checkout followed through its trace, with every service sending spans to an in-process
// OTLP receiver: from the gateway through Orders, Catalog, Payments and Shipping, the outbox relay
// and Notifications, to the SMTP send of each email; the provider's webhook in a trace of its own,
// linked to the checkout; and nothing added to the checkout's trace once it is finished.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '@minishop/devstack/otlp-receiver';
import { eventually, startShop, type Customer, type Shop } from '../support/shop.ts';

const SERVICES = ['gateway', 'auth', 'catalog', 'cart', 'orders', 'payments', 'shipping', 'notifications'];
/** The services one checkout passes through. */
const CHECKOUT_SERVICES = ['gateway', 'orders', 'catalog', 'payments', 'shipping', 'notifications'];

let receiver: OtlpReceiver;
let shop: Shop;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  shop = await startShop({ componentEnv: Object.fromEntries(SERVICES.map((s) => [s, traced])) });
});
afterAll(async () => {
  await shop?.stop();
  await receiver?.close();
});

const spansOf = (traceId: string) => receiver.spans.filter((s) => s.traceId === traceId);

/** Places an order as a browser that starts its own trace would; returns the trace and the order. */
async function tracedCheckout(buyer: Customer, productId: string) {
  await shop.addToCart(buyer.token, productId, 1);
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const res = await shop.checkout(buyer.token, {
    headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
  });
  expect(res.status).toBe(201);
  return { traceId, callerSpan, orderId: res.body.id as string };
}

/** The passes the background loops of a service have made, by loop, from its metrics. */
async function passesOf(service: 'orders' | 'notifications'): Promise<Map<string, number>> {
  const text = await (await fetch(`${shop.stack.urls.management[service]}/metrics`)).text();
  const passes = new Map<string, number>();
  const line = /^minishop_background_passes_total\{[^}]*loop="([^"]+)"[^}]*outcome="ok"[^}]*\} (\d+)/gm;
  for (const [, loop, value] of text.matchAll(line)) passes.set(loop!, Number(value));
  return passes;
}

/** Waits until the email worker and Orders' outbox relay have each made `count` more passes. */
async function morePasses(count: number): Promise<void> {
  const loops = [
    ['notifications', 'email delivery'],
    ['orders', 'outbox relay to notifications'],
  ] as const;
  const passes = () => Promise.all(loops.map(async ([service, loop]) => (await passesOf(service)).get(loop)));
  const start = await passes();
  expect(start.every((n) => n !== undefined)).toBe(true);
  await eventually(
    async () => (await passes()).every((n, i) => n! >= start[i]! + count),
    `${count} more passes of the background loops`,
  );
}

/** Waits until the trace holds the SMTP send of each of the order's emails. */
async function emailsSent(traceId: string, orderId: string): Promise<ReceivedSpan[]> {
  return eventually(
    async () => {
      const sends = spansOf(traceId).filter((s) => s.name === 'email send' && s.service === 'notifications');
      const events = sends.map((s) => String(s.attributes['minishop.event_id']));
      const both = [`${orderId}:OrderPlaced`, `${orderId}:PaymentConfirmed:1`].every((e) =>
        events.includes(e),
      );
      return both ? sends : null;
    },
    `the emails of order ${orderId} in trace ${traceId}`,
    60_000,
  );
}

describe('following one checkout', () => {
  it(
    'is one trace from the gateway to the SMTP send of each email, and ends',
    { timeout: 240_000 },
    async () => {
      const product = await shop.createProduct({ stock: 10, price: '2.50' });
      const buyer = await shop.newCustomer();
      const { traceId, callerSpan, orderId } = await tracedCheckout(buyer, product.id);

      const sends = await emailsSent(traceId, orderId);
      // Services export in batches: the trace is whole once every service of the checkout has sent
      // its spans and every span's parent has arrived, up to the gateway's, whose parent is the caller's.
      const spans = await eventually(
        async () => {
          const all = spansOf(traceId);
          const ids = new Set(all.map((s) => s.spanId));
          const roots = all.filter((s) => !ids.has(s.parentSpanId));
          const services = new Set(all.map((s) => s.service));
          const whole =
            roots.length === 1 && roots[0]!.service === 'gateway' && roots[0]!.parentSpanId === callerSpan;
          return whole && CHECKOUT_SERVICES.every((s) => services.has(s)) ? all : null;
        },
        'the whole trace',
        60_000,
      );
      const byId = new Map(spans.map((s) => [s.spanId, s]));
      // Each email: the relay's delivery in Orders, POST /notify in Notifications, then the send.
      for (const send of sends) {
        const notify = byId.get(send.parentSpanId)!;
        expect(notify).toMatchObject({ service: 'notifications', name: 'POST /notify' });
        const chain: ReceivedSpan[] = [];
        for (let at: ReceivedSpan | undefined = notify; at; at = byId.get(at.parentSpanId)) chain.push(at);
        expect(chain.map((s) => s.name)).toContain('outbox deliver to notifications');
        expect(chain.at(-1)!.service).toBe('gateway');
      }

      // The provider's webhook about the payment starts its own trace and links to this one.
      const webhook = await eventually(
        async () =>
          receiver.spans.find(
            (s) =>
              s.service === 'payments' &&
              s.name === 'POST /payments/webhooks/provider' &&
              s.links.some((l) => l.traceId === traceId),
          ),
        'the linked webhook',
        60_000,
      );
      expect(webhook.traceId).not.toBe(traceId);

      // Finished: after five more passes of the email worker and of the outbox relay (and so, at
      // their interval of a second or less, more than two export rounds of every service), the
      // trace holds what it will ever hold; five passes later it must hold exactly that still.
      await morePasses(5);
      const finished = spansOf(traceId).map((s) => s.spanId);
      await morePasses(5);
      expect(spansOf(traceId).map((s) => s.spanId)).toEqual(finished);
    },
  );
});
