// A buyer during a chaos round: fills the cart, checks out through the gateway with an
// Idempotency-Key (retrying with the same key when the answer is lost, as a real client would),
// pays with the declining card when its dice say so, sometimes pays again after a decline, and
// sometimes cancels. It keeps count of what it saw; the audit, not the buyer, judges the outcome.
import type { Rng } from './rng.ts';

export const SUCCESS_CARD = 'pm_card_visa';
export const DECLINING_CARD = 'pm_card_chargeDeclined';
const ADDRESS = {
  name: 'Chaos Buyer',
  line1: '1 Test Street',
  city: 'Testville',
  postal_code: '12345',
  country: 'US',
};

export interface Buyer {
  id: string;
  email: string;
  token: string;
}

export interface ShopperTally {
  checkouts: number;
  /** Checkouts answered with an order (201). */
  ordered: number;
  /** Checkouts that ended without an order (out of stock, empty cart). */
  refused: number;
  /** Checkouts whose answer never came despite retrying with the same key. */
  unanswered: number;
  declined_card: number;
  paid_again: number;
  cancel_requests: number;
  cancelled: number;
}

export interface ShopperPlan {
  gateway: string;
  productIds: string[];
  declineRate: number;
  cancelRate: number;
  payAgainRate: number;
  /** Stop starting new checkouts after this time (ms since epoch). */
  until: number;
}

type Reply = { status: number; body: Record<string, unknown> | undefined };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function call(
  gateway: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; key?: string; timeoutMs?: number } = {},
): Promise<Reply | undefined> {
  try {
    const response = await fetch(`${gateway}${path}`, {
      method,
      headers: {
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    const text = await response.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  } catch {
    // No answer: the gateway or something behind it is down or frozen.
    return undefined;
  }
}

/** Whether an answer means "try again": none at all, 5xx, 429, or a conflict that says so. */
function retryable(reply: Reply | undefined): boolean {
  if (!reply) return true;
  if (reply.status >= 500 || reply.status === 429 || reply.status === 401) return true;
  return reply.status === 409 && /again|in progress|moment/i.test(String(reply.body?.detail ?? ''));
}

/** Repeats a call while its answer says to, for up to `forMs`. */
async function persist(attempt: () => Promise<Reply | undefined>, forMs: number): Promise<Reply | undefined> {
  const deadline = Date.now() + forMs;
  let reply = await attempt();
  for (let pause = 250; retryable(reply) && Date.now() < deadline; pause = Math.min(pause * 2, 3000)) {
    await sleep(pause);
    reply = await attempt();
  }
  return reply;
}

async function fillCart(plan: ShopperPlan, buyer: Buyer, rng: Rng): Promise<boolean> {
  await persist(() => call(plan.gateway, 'DELETE', '/cart', { token: buyer.token }), 10_000);
  const lines = rng.int(1, 2);
  for (let i = 0; i < lines; i++) {
    const body = { product_id: rng.pick(plan.productIds), quantity: rng.int(1, 2) };
    const reply = await persist(
      () => call(plan.gateway, 'POST', '/cart/items', { token: buyer.token, body }),
      15_000,
    );
    if (reply?.status !== 200) return i > 0;
  }
  return true;
}

async function afterOrder(
  plan: ShopperPlan,
  buyer: Buyer,
  rng: Rng,
  order: Record<string, unknown>,
  tally: ShopperTally,
) {
  const id = String(order.id);
  if (order.status === 'payment_failed' && rng.chance(plan.payAgainRate)) {
    tally.paid_again++;
    await persist(
      () =>
        call(plan.gateway, 'POST', '/payments', {
          token: buyer.token,
          body: { order_id: id, payment_method: SUCCESS_CARD },
        }),
      20_000,
    );
  }
  if (rng.chance(plan.cancelRate)) {
    tally.cancel_requests++;
    // An order whose checkout is still running answers 409 "try again in a moment".
    const reply = await persist(
      () => call(plan.gateway, 'POST', `/orders/${id}/cancel`, { token: buyer.token }),
      30_000,
    );
    if (reply?.status === 200 || reply?.status === 202) tally.cancelled++;
  }
}

/** One buyer's loop: checkout after checkout until the plan's time is up. */
export async function shop(plan: ShopperPlan, buyer: Buyer, rng: Rng, tally: ShopperTally): Promise<void> {
  let n = 0;
  while (Date.now() < plan.until) {
    if (!(await fillCart(plan, buyer, rng))) {
      await sleep(500);
      continue;
    }
    const declined = rng.chance(plan.declineRate);
    const key = `chaos-${buyer.id}-${n++}`;
    tally.checkouts++;
    if (declined) tally.declined_card++;
    const body = { shipping_address: ADDRESS, payment_method: declined ? DECLINING_CARD : SUCCESS_CARD };
    const reply = await persist(
      () => call(plan.gateway, 'POST', '/orders', { token: buyer.token, body, key }),
      60_000,
    );
    if (reply?.status === 201 && reply.body) {
      tally.ordered++;
      await afterOrder(plan, buyer, rng, reply.body, tally);
    } else if (reply && reply.status < 500) tally.refused++;
    else tally.unanswered++;
  }
}

export function emptyTally(): ShopperTally {
  return {
    checkouts: 0,
    ordered: 0,
    refused: 0,
    unanswered: 0,
    declined_card: 0,
    paid_again: 0,
    cancel_requests: 0,
    cancelled: 0,
  };
}
