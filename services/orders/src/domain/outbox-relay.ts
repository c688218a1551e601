// Orders' outbox relay: the kit's relay, delivering order events to Notifications (POST /notify)
// at least once; Notifications keeps one email per event id, so a customer gets each email once.
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Pool } from '@minishop/kit/db';
import { createOutboxRelay, type OutboxRelay } from '@minishop/kit/outbox';
import { OUTBOX_STREAM, OUTBOX_TABLE, type OutboxEvent } from '../data/outbox.repository.ts';
import { UnexpectedReply, type Upstreams } from './upstreams.ts';

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
    async send(event) {
      try {
        await deps.upstreams.notify({
          event_id: event.event_id,
          type: event.type,
          to: event.recipient,
          data: event.payload,
        });
        return { status: 202 };
      } catch (err) {
        if (err instanceof UnexpectedReply) return { status: err.status };
        throw err;
      }
    },
  });
}

/** One delivery pass, outside the service's loop; returns how many events it claimed. */
export function relayOutbox(deps: RelayDeps): Promise<number> {
  return createNotificationsRelay(deps).runOnce();
}
