// Checkouts as the load generator makes them: add a product to the cart, POST /orders with an
// Idempotency-Key, count paid orders; in the maximum phase a few customers race for the last units
// of one product; at a fixed rate each due checkout waits for a free customer.
import { randomUUID } from 'node:crypto';
import type { CheckoutJob, CheckoutResult, ShopUser } from './jobs.ts';
import { Client, count, newOutcome, r2, schedule } from './load-client.ts';
import { Latencies } from './stats.ts';

const ADDRESS = {
  name: 'Load Tester',
  line1: '1 Benchmark Way',
  city: 'Springfield',
  postal_code: '12345',
  country: 'US',
};
const ORDER_BODY = JSON.stringify({ shipping_address: ADDRESS, payment_method: 'pm_card_visa' });

type Step = { ok: true; paid: boolean } | { ok: false; label: string; socket: boolean; status?: number };

async function checkoutOnce(
  client: Client,
  user: ShopUser,
  productId: string,
  orderMs: Latencies,
): Promise<Step> {
  const auth = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
  let stage = 'cart';
  try {
    const add = await client.send(
      'POST',
      '/cart/items',
      auth,
      JSON.stringify({ product_id: productId, quantity: 1 }),
      false,
    );
    if (add.status !== 200) return await failed(client, user, `cart ${add.status}`, add.status);
    stage = 'orders';
    const began = performance.now();
    const order = await client.send(
      'POST',
      '/orders',
      { ...auth, 'idempotency-key': randomUUID() },
      ORDER_BODY,
      true,
    );
    orderMs.add(performance.now() - began);
    if (order.status !== 201) return await failed(client, user, `orders ${order.status}`, order.status);
    const status = (JSON.parse(order.body ?? '{}') as { status?: string }).status;
    return { ok: true, paid: status === 'paid' };
  } catch {
    await clearCart(client, user);
    return { ok: false, label: `${stage} socket error`, socket: true };
  }
}

async function failed(client: Client, user: ShopUser, label: string, status: number): Promise<Step> {
  await clearCart(client, user);
  return { ok: false, label, socket: false, status };
}

/** Leaves the user's cart empty after a failed checkout so the next one starts clean. */
async function clearCart(client: Client, user: ShopUser): Promise<void> {
  await client
    .send('DELETE', '/cart', { authorization: `Bearer ${user.token}` }, undefined, false)
    .catch(() => {});
}

async function contend(
  client: Client,
  users: ShopUser[],
  productId: string,
): Promise<NonNullable<CheckoutResult['contention']>> {
  const result = { attempts: 0, paid: 0, sold_out: 0, other: 0, statuses: {} as Record<string, number> };
  const unused = new Latencies();
  await Promise.all(
    users.map(async (user) => {
      // Each racer buys one unit at a time until the product is sold out.
      for (let tries = 0; tries < 20; tries++) {
        result.attempts++;
        const step = await checkoutOnce(client, user, productId, unused);
        const label = step.ok ? (step.paid ? 'orders 201 paid' : 'orders 201 unpaid') : step.label;
        result.statuses[label] = (result.statuses[label] ?? 0) + 1;
        if (step.ok && step.paid) {
          result.paid++;
          continue;
        }
        if (!step.ok && step.status === 409) result.sold_out++;
        else result.other++;
        return;
      }
    }),
  );
  return result;
}

export async function runCheckout(job: CheckoutJob): Promise<CheckoutResult> {
  const client = new Client(job.gateway, job.users.length + (job.contention?.users.length ?? 0) + 8);
  const latencies = new Latencies();
  const orderMs = new Latencies();
  const outcome = newOutcome();
  let unpaid = 0;
  const pick = () => job.productIds[Math.floor(Math.random() * job.productIds.length)]!;
  const record = (step: Step, due: number) => {
    if (step.ok) {
      latencies.add(performance.now() - due);
      count(outcome, step.paid ? 'paid' : 'orders 201 not paid', step.paid);
      if (!step.paid) unpaid++;
    } else {
      if (step.socket) outcome.errors++;
      else outcome.non2xx++;
      count(outcome, step.label, false);
    }
  };

  const started = performance.now();
  let contention: Promise<CheckoutResult['contention']> = Promise.resolve(undefined);
  if (job.mode === 'max') {
    if (job.contention) contention = contend(client, job.contention.users, job.contention.productId);
    const deadline = started + job.durationS * 1000;
    await Promise.all(
      job.users.map(async (user) => {
        while (performance.now() < deadline) {
          const began = performance.now();
          record(await checkoutOnce(client, user, pick(), orderMs), began);
        }
      }),
    );
  } else {
    const rate = job.rate ?? 1;
    const total = Math.max(1, Math.round(rate * job.durationS));
    const free = [...job.users];
    const waiting: Array<(user: ShopUser) => void> = [];
    const acquire = () =>
      free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<ShopUser>((r) => waiting.push(r));
    const release = (user: ShopUser) => {
      const next = waiting.shift();
      if (next) next(user);
      else free.push(user);
    };
    let finished = 0;
    await new Promise<void>((resolve) => {
      schedule(total, rate, (_i, due) => {
        void (async () => {
          const user = await acquire();
          try {
            record(await checkoutOnce(client, user, pick(), orderMs), due);
          } finally {
            release(user);
            if (++finished === total) resolve();
          }
        })();
      });
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const contended = await contention;
  client.close();
  return {
    kind: 'checkout',
    mode: job.mode,
    checkouts: outcome.ok,
    checkouts_per_s: r2(outcome.ok / seconds),
    duration_s: r2(seconds),
    ...(job.rate !== undefined ? { target_rate: job.rate } : {}),
    latency: latencies.summary(),
    order_latency: orderMs.summary(),
    unpaid,
    ...outcome,
    ...(contended ? { contention: contended } : {}),
  };
}
