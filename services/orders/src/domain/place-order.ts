// Placing an order from the cart, with an optional Idempotency-Key: a replay returns the same
// order (or the same refusal), and the same key with another body is refused.
import { createHash, randomUUID } from 'node:crypto';
import { Conflict, ValidationFailed, DomainError } from '@minishop/kit/errors';
import * as keys from '../data/idempotency.repository.ts';
import * as orders from '../data/orders.repository.ts';
import type { OrderRow, ShippingAddress } from '../data/orders.repository.ts';
import { leaseClock, newPass, runSaga, type SagaDeps } from './checkout-saga.ts';

export interface Customer {
  id: string;
  email: string;
  role: 'customer' | 'admin' | 'service';
}

export interface PlaceOrderInput {
  shipping_address: ShippingAddress;
  payment_method?: string;
}

export const DEFAULT_PAYMENT_METHOD = 'pm_card_visa';
/** How long a replay waits for the original request to finish before answering with the order as it is. */
const REPLAY_WAIT_MS = 25_000;
const EMPTY_CART = 'your cart is empty';

function requestHash(input: PlaceOrderInput): string {
  const canonical = JSON.stringify({
    shipping_address: Object.fromEntries(Object.entries(input.shipping_address).sort()),
    payment_method: input.payment_method ?? DEFAULT_PAYMENT_METHOD,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Placed {
  order: OrderRow;
  replayed: boolean;
}

/** Thrown for a stored outcome of an earlier request with the same key (e.g. out of stock). */
class StoredOutcome extends DomainError {}

/**
 * Reads the cart, then places the order and claims the key in one statement, then runs the
 * saga while the buyer waits. A request that finds the key taken answers as its first request did.
 */
export async function placeOrder(
  deps: SagaDeps,
  customer: Customer,
  input: PlaceOrderInput,
  idempotencyKey: string | undefined,
): Promise<Placed> {
  const hash = requestHash(input);
  const claim = idempotencyKey ? { userId: customer.id, key: idempotencyKey, hash } : undefined;
  const deadline = Date.now() + REPLAY_WAIT_MS;
  for (;;) {
    const placed = await tryToPlace(deps, customer, input, claim);
    if (placed) return { order: placed, replayed: false };
    // Only a request with a key gets here: another request holds it.
    const replay = await replayOf(deps, customer, idempotencyKey!, hash, deadline);
    if (replay) return { order: replay, replayed: true };
  }
}

/** Places and drives the order; null when the key belongs to another request. */
async function tryToPlace(
  deps: SagaDeps,
  customer: Customer,
  input: PlaceOrderInput,
  claim: orders.KeyClaim | undefined,
): Promise<OrderRow | null> {
  const lines = await deps.upstreams.readCart(customer.id);
  const orderId = randomUUID();
  if (lines.length === 0) {
    const answer = { status: 409, body: { detail: EMPTY_CART } };
    if (!claim || (await keys.claimWithAnswer(deps.pool, { ...claim, orderId }, answer))) {
      throw new Conflict(EMPTY_CART);
    }
    return null;
  }
  const pass = newPass(deps, { answering: true, key: claim && { userId: claim.userId, key: claim.key } });
  const held = leaseClock(pass);
  const order = await orders.insertOrder(
    deps.pool,
    {
      id: orderId,
      user_id: customer.id,
      email: customer.email,
      shipping_address: input.shipping_address,
      payment_method: input.payment_method ?? DEFAULT_PAYMENT_METHOD,
      lines,
      owner: pass.owner,
      leaseMs: deps.leaseMs,
    },
    claim,
  );
  if (!order) return null;
  held(deps.leaseMs);
  deps.crashPoint?.('place');
  return runSaga(pass, order);
}

/**
 * The first request's outcome for a replay: its stored refusal (thrown), or its order once no
 * worker holds it (or at the deadline, as it stands). Null when the first request died before
 * it made its order and this one may take its place.
 */
async function replayOf(
  deps: SagaDeps,
  customer: Customer,
  key: string,
  hash: string,
  deadline: number,
): Promise<OrderRow | null> {
  for (;;) {
    const state = await keys.readKey(deps.pool, customer.id, key);
    // Forgotten meanwhile (a day old): this request places its order afresh.
    if (!state) return null;
    if (state.request_hash !== hash) {
      throw new ValidationFailed('Idempotency-Key was already used with a different request body', [
        { field: 'headers.idempotency-key', message: 'reused with a different body' },
      ]);
    }
    if (state.answer) {
      const body = state.answer.body;
      throw new StoredOutcome(
        state.answer.status === 409 ? 'conflict' : 'validation',
        String(body.detail ?? ''),
        body,
      );
    }
    if (state.order && (!state.busy || Date.now() > deadline)) return state.order;
    if (!state.order && state.expired) return null;
    if (Date.now() > deadline) throw new Conflict('a request with this Idempotency-Key is still in progress');
    await sleep(50);
  }
}
