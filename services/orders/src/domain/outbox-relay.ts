// Orders' outbox relay: the kit's relay, delivering order events to Notifications at least once
// (a pass's events in one POST /notify/batch, a lone event to POST /notify); Notifications keeps
// one email per event id, so a customer gets each email once.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Pool } from '@minishop/kit/db';
import { createOutboxRelay, type OutboxRelay } from '@minishop/kit/outbox';
import { OUTBOX_STREAM, OUTBOX_TABLE, type OutboxEvent } from '../data/outbox.repository.ts';
import { UnexpectedReply, type Notification, type Upstreams } from './upstreams.ts';

export interface RelayDeps {
  pool: Pool;
  upstreams: Upstreams;
  log: FastifyBaseLogger;
  registry?: Registry;
  intervalMs?: number;
}

export function createNotificationsRelay(deps: RelayDeps): OutboxRelay {
  return createOutboxRelay<OutboxEvent>({
    pool: deps.pool,
    table: OUTBOX_TABLE,
    streamColumn: OUTBOX_STREAM,
    receiver: 'notifications',
    log: deps.log,
    registry: deps.registry,
    intervalMs: deps.intervalMs,
    // The call runs in the trace the event was written in.
    send: (event) => answered(() => deps.upstreams.notify(notification(event))),
    // One bad event makes Notifications refuse the batch; the kit then sends each on its own.
    // The call is in a span of its own, so each event names the trace its email joins.
    sendBatch: (events) =>
      answered(() =>
        deps.upstreams.notifyBatch(
          events.map((e) => ({
            ...notification(e),
            ...(e.trace_context && { traceparent: e.trace_context }),
          })),
        ),
      ),
  });
}

/** What Notifications is told of an order event: the outbox row's columns under its names. */
const notification = ({ event_id, type, recipient: to, payload: data }: OutboxEvent): Notification => ({
  event_id,
  type,
  to,
  data,
});

/** Notifications' answer as a status: 202 once it has the events, its status when it refuses them. */
async function answered(call: () => Promise<void>): Promise<{ status: number }> {
  try {
    await call();
    return { status: 202 };
  } catch (err) {
    if (err instanceof UnexpectedReply) return { status: err.status };
    throw err;
  }
}

/** One delivery pass, outside the service's loop; returns how many events it claimed. */
export function relayOutbox(deps: RelayDeps): Promise<number> {
  return createNotificationsRelay(deps).runOnce();
}
