// The outbox relay: delivers stored events to Notifications at least once, with backoff;
// Notifications deduplicates by event id, so a customer gets each email exactly once.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@minishop/kit/db';
import { claimDue, markDelivered, markFailed } from '../data/outbox.repository.ts';
import { UnexpectedReply, type Upstreams } from './upstreams.ts';

/** How long a claimed event is left to one relay before another may send it. */
const CLAIM_MS = 30_000;
/** A rejected event (4xx) is tried this often, in case the rejection was a passing mistake, then set aside. */
const REJECTED_TRIES = 10;

function retryDelayMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
}

export async function relayOutbox(
  deps: { pool: Pool; upstreams: Upstreams; log: FastifyBaseLogger },
  batch = 20,
): Promise<number> {
  const events = await claimDue(deps.pool, batch, CLAIM_MS);
  await Promise.all(
    events.map(async (event) => {
      try {
        await deps.upstreams.notify({
          event_id: event.event_id,
          type: event.type,
          to: event.recipient,
          data: event.payload,
        });
        await markDelivered(deps.pool, event.event_id);
      } catch (err) {
        const rejected =
          err instanceof UnexpectedReply && err.status >= 400 && err.status < 500 && err.status !== 429;
        const setAside = rejected && event.attempts + 1 >= REJECTED_TRIES;
        deps.log[setAside ? 'error' : 'warn'](
          { err, eventId: event.event_id, attempts: event.attempts + 1 },
          setAside ? 'event rejected by Notifications; set aside' : 'event delivery failed; will retry',
        );
        await markFailed(
          deps.pool,
          event.event_id,
          setAside ? 'never' : retryDelayMs(event.attempts),
          (err as Error).message,
        );
      }
    }),
  );
  return events.length;
}
