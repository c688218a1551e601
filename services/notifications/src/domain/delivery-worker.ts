// The delivery worker: sends the emails of the delivery log over SMTP, many at a time up to a
// limit. A new event is taken by this worker in the statement that stores it and sent at once;
// the kit's loop picks up everything else that is due (retries, events that came while the worker
// was full, deliveries of a replica that died). Each send is send-email.ts.
import type { Registry } from 'prom-client';
import { captureTraceContext, inStoredTrace, startLoop, type Loop } from '@minishop/kit/background';
import type { Pool } from '@minishop/kit/db';
import {
  claimDue,
  insertDeliveries,
  markSent,
  type Delivery,
  type NewDelivery,
} from '../data/deliveries.repository.ts';
import { groupCommit } from '../data/group-commit.ts';
import { sendEmail, type SendOptions } from './send-email.ts';

export interface WorkerOptions extends Omit<SendOptions, 'recordSent'> {
  /** How often due deliveries are looked for when nothing wakes the worker. */
  pollIntervalMs: number;
  /** Emails being sent at once, at most. */
  concurrency: number;
  /** Where the worker's loop counts its passes. */
  registry?: Registry;
}

export interface NewEvent {
  event_id: string;
  type: string;
  recipient: string;
  data: Record<string, unknown>;
  /** The trace the email joins; the request's when not given. */
  trace_context?: string;
}

export interface DeliveryWorker {
  /**
   * Stores the events whose ids are not known, in one statement (true for each that is new, and
   * for the first of an id repeated in the list), and sends those the worker has room for now.
   */
  accept(events: NewEvent[]): Promise<boolean[]>;
  start(): void;
  /** Stops taking work and waits for the sends in progress. */
  close(): Promise<void>;
}

/** Events posted while a statement is on its way are stored together by the next one. */
function storeInGroups(pool: Pool) {
  return groupCommit(async (events: NewDelivery[]) => {
    const stored = new Map((await insertDeliveries(pool, events)).map((d) => [d.event_id, d]));
    // Only the first of several posts of one id in a group is the new one.
    return events.map((e) => {
      const row = stored.get(e.event_id);
      stored.delete(e.event_id);
      return row ?? null;
    });
  });
}

/** Sends that finish while a mark is on its way are marked together by the next statement. */
function markSentInGroups(pool: Pool): (id: string) => Promise<void> {
  const mark = groupCommit(async (ids: string[]) => {
    await markSent(pool, ids);
    return ids.map(() => undefined);
  });
  return async (id) => {
    await mark([id]);
  };
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

  const store = storeInGroups(pool);
  const send: SendOptions = { ...options, recordSent: markSentInGroups(pool) };

  async function accept(events: NewEvent[]): Promise<boolean[]> {
    // The first events get the free slots; the others are left to the loop.
    const take = closed ? 0 : Math.min(events.length, Math.max(0, free()));
    reserved += take;
    let stored: Array<Delivery | null>;
    try {
      const trace_context = captureTraceContext();
      stored = await store(
        events.map((event, i) => ({
          ...event,
          trace_context: event.trace_context ?? trace_context,
          claimMs: i < take ? options.leaseMs : null,
        })),
      );
    } finally {
      reserved -= take;
    }
    stored.forEach((delivery, i) => {
      if (delivery && i < take) dispatch(delivery);
    });
    // One wake for all the new events left to the loop: each wake re-arms its timer.
    if (stored.some((delivery, i) => delivery && i >= take)) {
      waiting = true;
      loop?.wake();
    }
    return stored.map((delivery) => delivery !== null);
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
      sendEmail(send, delivery, release),
    )
      .catch((err: unknown) => log.error({ err, event_id: delivery.event_id }, 'email delivery went wrong'))
      .finally(() => {
        release();
        sending.delete(sent);
      });
    sending.add(sent);
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
