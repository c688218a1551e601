// Delivers shipment status events from the outbox to Orders: polls on a timer (and at once when
// nudged), retries failures with capped exponential backoff and jitter, and stops cleanly on close.
// Delivery is at least once; Orders deduplicates by event_id.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@minishop/kit/db';
import type { ServiceClient } from '@minishop/kit/service-client';
import {
  claimDueEvents,
  markDelivered,
  markRejected,
  scheduleRetry,
  type ShipmentEvent,
} from '../data/outbox.repository.ts';

export interface RelayOptions {
  /** Time between two polls when there is nothing to send. */
  intervalMs?: number;
  batchSize?: number;
  /** First retry delay; doubled per attempt up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a claimed event is reserved for one delivery attempt. */
  leaseMs?: number;
  /** Attempts after which an event Orders keeps refusing with a 4xx is set aside. */
  maxRefusedAttempts?: number;
}

export interface OutboxRelay {
  start(): void;
  /** Runs a delivery pass now (soon, if one is already running). */
  nudge(): void;
  /** Delivers what is due once; returns how many events were attempted. */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

type Outcome = { kind: 'delivered' } | { kind: 'retry'; error: string } | { kind: 'rejected'; error: string };

// Orders found the event itself invalid: sending it again cannot help.
const PERMANENT_STATUS = new Set([400, 413, 422]);

export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (Math.random() * exponential) / 2);
}

export function createOutboxRelay(deps: {
  pool: Pool;
  orders: ServiceClient;
  log: FastifyBaseLogger;
  options?: RelayOptions;
}): OutboxRelay {
  const { pool, orders, log } = deps;
  const intervalMs = deps.options?.intervalMs ?? 1_000;
  const batchSize = deps.options?.batchSize ?? 20;
  const baseBackoffMs = deps.options?.baseBackoffMs ?? 1_000;
  const maxBackoffMs = deps.options?.maxBackoffMs ?? 300_000;
  const leaseMs = deps.options?.leaseMs ?? 30_000;
  const maxRefusedAttempts = deps.options?.maxRefusedAttempts ?? 20;

  let running = false;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<number> | null = null;
  let again = false;

  async function send(event: ShipmentEvent): Promise<Outcome> {
    try {
      const res = await orders.request({
        method: 'POST',
        path: `/orders/${encodeURIComponent(event.orderId)}/shipment-events`,
        body: { event_id: event.eventId, shipment_id: event.shipmentId, status: event.status },
        idempotent: true,
      });
      if (res.status >= 200 && res.status < 300) return { kind: 'delivered' };
      const error = `orders answered ${res.status}: ${typeof res.body === 'string' ? res.body : JSON.stringify(res.body)}`;
      if (PERMANENT_STATUS.has(res.status) || event.attempts >= maxRefusedAttempts)
        return { kind: 'rejected', error };
      return { kind: 'retry', error };
    } catch (err) {
      // Unreachable, timed out or 5xx: Orders will be back; keep trying at the capped backoff.
      return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
    }
  }

  async function deliver(event: ShipmentEvent): Promise<void> {
    const outcome = await send(event);
    if (outcome.kind === 'delivered') {
      await markDelivered(pool, event.eventId);
      log.debug({ event_id: event.eventId, status: event.status }, 'shipment event delivered');
    } else if (outcome.kind === 'rejected') {
      await markRejected(pool, event.eventId, outcome.error);
      log.error(
        { event_id: event.eventId, order_id: event.orderId, error: outcome.error },
        'shipment event set aside',
      );
    } else {
      const delay = backoffMs(event.attempts, baseBackoffMs, maxBackoffMs);
      await scheduleRetry(pool, event.eventId, delay, outcome.error);
      log.warn(
        { event_id: event.eventId, attempts: event.attempts, retry_in_ms: delay, error: outcome.error },
        'shipment event delivery failed',
      );
    }
  }

  async function runOnce(): Promise<number> {
    const events = await claimDueEvents(pool, batchSize, leaseMs);
    // Claimed events belong to different shipments, so they can go out side by side.
    await Promise.all(events.map((event) => deliver(event)));
    return events.length;
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
  }

  function tick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    current = runOnce();
    current
      .then(
        (count) => schedule(count >= batchSize || again ? 0 : intervalMs),
        (err: unknown) => {
          log.error({ err }, 'outbox relay pass failed');
          schedule(intervalMs);
        },
      )
      .finally(() => {
        running = false;
        current = null;
      });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    nudge() {
      if (!stopped) schedule(0);
    },
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.catch(() => 0);
    },
  };
}
