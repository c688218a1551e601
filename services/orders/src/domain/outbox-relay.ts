// The outbox relay: delivers stored events to Notifications at least once, with backoff;
// Notifications deduplicates by event id, so a customer gets each email exactly once.
import type { FastifyBaseLogger } from 'fastify';
import { withTransaction, type Pool } from '@minishop/kit/db';
import { lockDue, markDelivered, markFailed } from '../data/outbox.repository.ts';
import type { Upstreams } from './upstreams.ts';

export async function relayOutbox(
  deps: { pool: Pool; upstreams: Upstreams; log: FastifyBaseLogger },
  batch = 20,
): Promise<number> {
  return withTransaction(deps.pool, async (tx) => {
    const events = await lockDue(tx, batch);
    await Promise.all(
      events.map(async (event) => {
        try {
          await deps.upstreams.notify({
            event_id: event.event_id,
            type: event.type,
            to: event.recipient,
            data: event.payload,
          });
          await markDelivered(tx, event.event_id);
        } catch (err) {
          const delay = Math.min(300_000, 1000 * 2 ** event.attempts) * (0.5 + Math.random() / 2);
          deps.log.warn(
            { err, eventId: event.event_id, attempts: event.attempts + 1 },
            'event delivery failed; will retry',
          );
          await markFailed(tx, event.event_id, delay, (err as Error).message);
        }
      }),
    );
    return events.length;
  });
}
