// The checkout saga (docs/design.md §5). Progress is stored on the order (saga_step) and every
// remote step is idempotent and keyed by the order id, so any worker can drive an order from where
// it stands: the request that placed it, or the resumer after a crash. A worker holds the order in
// memory under a lease that names it and writes each outcome in one statement that checks the step
// it started from (steps.ts says which outcomes are written, and why the others need not be).
import { randomUUID } from 'node:crypto';
import { backoffMs, type BackoffPolicy } from '@minishop/kit/background';
import { UpstreamUnavailable } from '@minishop/kit/service-client';
import * as orders from '../data/orders.repository.ts';
import type { OrderRow, SagaStep } from '../data/orders.repository.ts';
import * as sagaState from '../data/saga.repository.ts';
import { eventRow } from './order-events.ts';
import { leaseClock, leaseFor, leaseOf, newPass, type Pass, type SagaDeps } from './saga-pass.ts';
import { OutOfStock, RetryLater, runStep, type Outcome } from './steps.ts';

export { OutOfStock } from './steps.ts';
export { leaseClock, newPass, type Pass, type SagaDeps } from './saga-pass.ts';

/** Tries of one step after which an admin is told (the saga keeps trying). */
const ATTENTION_AFTER = 5;
/** Tries after which clearing the cart is given up: the order itself is complete. */
const CART_CLEAR_TRIES = 8;

/** Waits between tries of a failing step: 0.5 s after the first, doubling up to a minute. */
const RETRY: BackoffPolicy = { baseMs: 500, maxMs: 60_000 };

/**
 * Drives an order this pass holds the lease of as far as it can go now, and returns it as it
 * then stands. With `answering`, missing stock is thrown as OutOfStock.
 */
export async function runSaga(pass: Pass, start: OrderRow): Promise<OrderRow> {
  let announced = false;
  try {
    let order = start;
    for (let guard = 0; guard < 12 && order.saga_step !== 'done'; guard++) {
      const outcome = await runStep(pass, order.saga_step, order);
      const written = await write(pass, order.saga_step, outcome);
      // Someone else moved the order or took it over: it is theirs now.
      if (!written) return (await orders.findOrder(pass.deps.pool, order.id)) ?? order;
      announced ||= outcome.event !== undefined;
      order = written;
      if (outcome.refusal) throw outcome.refusal;
      if (outcome.failure !== undefined || outcome.stop) break;
    }
    return order;
  } finally {
    // Once per pass, so the relay finds the pass's events together instead of running for each.
    if (announced) pass.deps.outboxWake?.();
  }
}

/** Writes a step's outcome, with its event in the same statement; null when the lease was lost. */
async function write(pass: Pass, from: SagaStep, outcome: Outcome): Promise<OrderRow | null> {
  const { deps } = pass;
  const settled: Outcome & { tries?: number } =
    outcome.failure === undefined ? outcome : afterFailure(pass, from, outcome);
  const { order, to } = settled;
  const ends = to === 'done' || settled.failure !== undefined || settled.stop === true;
  const record: sagaState.StepRecord = {
    order,
    from,
    to,
    status: settled.status,
    prices: settled.prices,
    leaseMs: ends ? null : leaseFor(deps, to),
    tries: settled.tries ?? 0,
    retryInMs: settled.tries ? backoffMs(settled.tries, RETRY) : 0,
  };
  // The event is made from the order as the statement leaves it: the in-memory order is the row as
  // last written (every step returns it) with this step's fields, and the step sets the status.
  if (settled.event) {
    record.event = eventRow({ ...order, status: settled.status?.to ?? order.status }, settled.event);
  }
  const held = leaseClock(pass);
  const row = await sagaState.recordStep(deps.pool, pass.owner, record);
  if (!row) return null;
  if (record.leaseMs !== null) held(record.leaseMs);
  const status = settled.status?.to;
  if (status === 'paid' || status === 'payment_failed') deps.checkouts?.inc({ outcome: status });
  return { ...row, items: order.items };
}

/** A step stopped on an error: the order is tried again after a backoff, or flagged, or let go. */
function afterFailure(pass: Pass, from: SagaStep, outcome: Outcome): Outcome & { tries?: number } {
  const { log } = pass.deps;
  const err = outcome.failure;
  const { order, to } = outcome;
  const tries = to === from ? order.saga_attempts + 1 : 1;
  if (to === 'clearing' && tries >= CART_CLEAR_TRIES) {
    log.warn({ err, orderId: order.id }, 'giving up clearing the cart; the order is complete');
    return { ...outcome, to: 'done', failure: undefined };
  }
  const passing = err instanceof UpstreamUnavailable || err instanceof RetryLater;
  log[passing ? 'warn' : 'error'](
    { err, orderId: order.id, step: to, tries },
    'checkout step failed; will try again',
  );
  if (tries < ATTENTION_AFTER) return { ...outcome, tries };
  const attention = `checkout step ${to} keeps failing (${tries} tries): ${(err as Error).message}`;
  if (tries === ATTENTION_AFTER)
    log.warn({ orderId: order.id, step: to, attention }, 'checkout needs attention');
  return { ...outcome, order: { ...order, attention }, tries };
}

/** Takes the lease of one unfinished order and drives it; false when another worker holds it. */
export async function driveOrder(deps: SagaDeps, orderId: string): Promise<boolean> {
  const pass = newPass(deps);
  const held = leaseClock(pass);
  const order = await sagaState.claimOrder(deps.pool, orderId, pass.owner, leaseOf(deps));
  if (!order) return false;
  held(leaseFor(deps, order.saga_step));
  await runSaga(pass, order);
  return true;
}

/** Picks up unfinished orders (after a crash, or a step that failed) and drives them. */
export async function resumeDue(deps: SagaDeps, limit = 20): Promise<number> {
  const owner = randomUUID();
  const sent = performance.now();
  const due = await sagaState.claimDue(deps.pool, owner, leaseOf(deps), limit);
  // Orders finish in their request unless something failed or a process died: worth a line.
  if (due.length > 0) deps.log.info({ count: due.length }, 'resuming unfinished checkouts');
  await Promise.all(
    due.map((order) =>
      runSaga(newPass(deps, { owner, leaseEnd: sent + leaseFor(deps, order.saga_step) }), order).catch(
        (err: unknown) => {
          // Missing stock of a resumed order is written as a cancellation, not thrown; anything
          // else here is a database problem, and the lease lets the order be retried.
          if (!(err instanceof OutOfStock)) deps.log.error({ err, orderId: order.id }, 'resume failed');
        },
      ),
    ),
  );
  return due.length;
}
