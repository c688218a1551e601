// The delivery worker: sends the emails of the delivery log over SMTP, many at a time up to a
// limit. A new event is taken by this worker in the statement that stores it and sent at once;
// the kit's loop picks up everything else that is due (retries, events that came while the worker
// was full, deliveries of a replica that died). An email is recorded as sent right after the mail
// server accepted it, and a failure is retried after the kit's backoff until the attempts run out.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import {
  backoffMs,
  captureTraceContext,
  inStoredTrace,
  startLoop,
  type BackoffPolicy,
  type Loop,
} from '@minishop/kit/background';
import type { Pool } from '@minishop/kit/db';
import {
  claimDue,
  insertDeliveries,
  markAttemptFailed,
  markSent,
  type Delivery,
  type NewDelivery,
} from '../data/deliveries.repository.ts';
import { groupCommit } from '../data/group-commit.ts';
import type { EmailMetrics } from './email-metrics.ts';
import { isPermanentSmtpFailure, type Mailer } from './mailer.ts';
import type { EventType } from './notification-events.ts';
import { renderEmail } from './templates.ts';

export interface WorkerOptions {
  pool: Pool;
  mailer: Mailer;
  log: FastifyBaseLogger;
  /** How often due deliveries are looked for when nothing wakes the worker. */
  pollIntervalMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** How long a taken delivery stays reserved for its worker; longer than any one send can take. */
  leaseMs: number;
  /** Emails being sent at once, at most. */
  concurrency: number;
  /** The shop's public base URL, for links in emails. */
  publicUrl: string;
  metrics?: EmailMetrics;
  /** Where the worker's loop counts its passes. */
  registry?: Registry;
  /** Called at the named points of a send (test crash points). */
  crashPoint?: (point: 'smtp-send') => void;
}

export interface NewEvent {
  event_id: string;
  type: string;
  recipient: string;
  data: Record<string, unknown>;
}

export interface DeliveryWorker {
  /** Stores an event unless its id is known (true when new) and, if the worker has room, sends it now. */
  accept(event: NewEvent): Promise<boolean>;
  start(): void;
  /** Stops taking work and waits for the sends in progress. */
  close(): Promise<void>;
}

export function createDeliveryWorker(options: WorkerOptions): DeliveryWorker {
  const { pool, log } = options;
  /** Every delivery in progress, until its outcome is recorded. */
  const sending = new Set<Promise<void>>();
  /** Deliveries between being taken and the mail server's answer: these are what the limit counts. */
  let busy = 0;
  /** Slots promised to events that are being stored. */
  let reserved = 0;
  /** Due deliveries may be waiting for a free slot. */
  let waiting = false;
  let closed = false;
  let loop: Loop | null = null;
  // A claim is worth a statement once a quarter of the slots are free.
  const enough = Math.max(1, Math.ceil(options.concurrency / 4));
  const free = () => options.concurrency - busy - reserved;

  // Events posted while a statement is on its way are stored together in the next one.
  const store = groupCommit(async (events: NewDelivery[]) => {
    const stored = new Map((await insertDeliveries(pool, events)).map((d) => [d.event_id, d]));
    // Only the first of several posts of one id in a group is the new one.
    return events.map((e) => {
      const row = stored.get(e.event_id);
      stored.delete(e.event_id);
      return row ?? null;
    });
  });
  const recordSent = groupCommit(async (ids: string[]) => {
    await markSent(pool, ids);
    return ids.map(() => undefined);
  });

  async function accept(event: NewEvent): Promise<boolean> {
    const take = !closed && free() > 0;
    if (take) reserved += 1;
    let stored: Delivery | null;
    try {
      stored = await store({
        ...event,
        trace_context: captureTraceContext(),
        claimMs: take ? options.leaseMs : null,
      });
    } finally {
      if (take) reserved -= 1;
    }
    if (stored && take) dispatch(stored);
    else if (stored) {
      waiting = true;
      loop?.wake();
    }
    return stored !== null;
  }

  function dispatch(delivery: Delivery): void {
    busy += 1;
    let released = false;
    // The slot is given back once the mail server has answered, or when anything ends the delivery.
    const release = () => {
      if (released) return;
      released = true;
      busy -= 1;
      if (waiting && free() >= enough) loop?.wake();
    };
    const attributes = { 'minishop.event_id': delivery.event_id, 'minishop.attempt': delivery.attempts };
    const sent: Promise<void> = inStoredTrace(delivery.trace_context, 'email send', attributes, () =>
      deliver(delivery, release),
    )
      .catch((err: unknown) => log.error({ err, event_id: delivery.event_id }, 'email delivery went wrong'))
      .finally(() => {
        release();
        sending.delete(sent);
      });
    sending.add(sent);
  }

  async function deliver(delivery: Delivery, release: () => void): Promise<void> {
    const type = delivery.type as EventType;
    let email: ReturnType<typeof renderEmail>;
    try {
      email = renderEmail(type, delivery.data, { publicUrl: options.publicUrl });
    } catch (err) {
      // Stored data that cannot be rendered will not render on a retry either.
      log.error({ err, event_id: delivery.event_id }, 'email could not be rendered');
      release();
      options.metrics?.count(type, 'failed');
      await markAttemptFailed(pool, delivery.id, `rendering failed: ${(err as Error).message}`, null);
      return;
    }
    try {
      await options.mailer.send({ to: delivery.recipient, eventId: delivery.event_id, ...email });
    } catch (err) {
      release();
      await recordFailure(delivery, err);
      return;
    }
    release();
    options.crashPoint?.('smtp-send');
    await recordSentSoon(delivery);
    options.metrics?.count(type, 'sent');
    log.info({ event_id: delivery.event_id, type, attempts: delivery.attempts }, 'email sent');
  }

  /**
   * The mail server has the email: until the row says so, another worker would send it again once
   * the lease ends, so the record is retried (within the lease) rather than given up.
   */
  async function recordSentSoon(delivery: Delivery): Promise<void> {
    const deadline = Date.now() + options.leaseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await recordSent(delivery.id);
        return;
      } catch (err) {
        const wait = backoffMs(attempt, { baseMs: 100, maxMs: 5_000 });
        if (Date.now() + wait > deadline) {
          log.error(
            { err, event_id: delivery.event_id },
            'email sent but not recorded; it may be sent again',
          );
          return;
        }
        log.warn({ err, event_id: delivery.event_id }, 'email sent; recording it failed, trying again');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  async function recordFailure(delivery: Delivery, err: unknown): Promise<void> {
    const type = delivery.type as EventType;
    const message = err instanceof Error ? err.message : String(err);
    const final = delivery.attempts >= options.maxAttempts || isPermanentSmtpFailure(err);
    const retryIn = final ? null : backoffMs(delivery.attempts, options.backoff);
    options.metrics?.count(type, final ? 'failed' : 'retried');
    log.warn(
      { event_id: delivery.event_id, attempts: delivery.attempts, retry_in_ms: retryIn, err: message },
      final ? 'email delivery failed for good' : 'email delivery failed; will retry',
    );
    await markAttemptFailed(pool, delivery.id, message, retryIn).catch((dbErr: unknown) =>
      log.error({ err: dbErr, event_id: delivery.event_id }, 'could not record a failed delivery'),
    );
  }

  /** Takes due deliveries when enough slots are free; a slot freeing up wakes it again. */
  async function pass(): Promise<boolean> {
    const room = free();
    if (room < enough) {
      waiting = true;
      return false;
    }
    const due = await claimDue(pool, room, options.leaseMs);
    for (const delivery of due) dispatch(delivery);
    waiting = due.length === room;
    return false;
  }

  return {
    accept,
    start() {
      loop ??= startLoop({
        name: 'email delivery',
        intervalMs: options.pollIntervalMs,
        log,
        pass,
        registry: options.registry,
      });
    },
    async close() {
      closed = true;
      await loop?.close();
      while (sending.size > 0) await Promise.all([...sending]);
    },
  };
}
