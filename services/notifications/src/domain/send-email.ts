// Sending one email of the delivery log: render it, hand it to the mail server, and record at once
// what happened: sent (retried for as long as the lease lasts if the database fails), or a failed
// attempt, due again after the kit's backoff, or failed for good.
import type { FastifyBaseLogger } from 'fastify';
import { backoffMs, type BackoffPolicy } from '@minishop/kit/background';
import type { Pool } from '@minishop/kit/db';
import { markAttemptFailed, type Delivery } from '../data/deliveries.repository.ts';
import type { EmailMetrics } from './email-metrics.ts';
import { isPermanentSmtpFailure, type Mailer } from './mailer.ts';
import type { EventType } from './notification-events.ts';
import { renderEmail } from './templates.ts';

export interface SendOptions {
  pool: Pool;
  mailer: Mailer;
  log: FastifyBaseLogger;
  maxAttempts: number;
  backoff: BackoffPolicy;
  /** How long a taken delivery stays reserved for its worker; longer than any one send can take. */
  leaseMs: number;
  /** The shop's public base URL, for links in emails. */
  publicUrl: string;
  metrics?: EmailMetrics;
  /** Called at the named points of a send (test crash points). */
  crashPoint?: (point: 'smtp-send') => void;
  /** Marks a delivery sent (grouped with the marks of other sends). */
  recordSent(id: string): Promise<void>;
}

/** Sends the email; `release` gives the worker's slot back once the mail server has answered. */
export async function sendEmail(
  options: SendOptions,
  delivery: Delivery,
  release: () => void,
): Promise<void> {
  const { pool, log } = options;
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
    await recordFailure(options, delivery, err);
    return;
  }
  release();
  options.crashPoint?.('smtp-send');
  await recordSentSoon(options, delivery);
  options.metrics?.count(type, 'sent');
  log.info({ event_id: delivery.event_id, type, attempts: delivery.attempts }, 'email sent');
}

/**
 * The mail server has the email: until the row says so, another worker would send it again once
 * the lease ends, so the record is retried (within the lease) rather than given up.
 */
async function recordSentSoon(options: SendOptions, delivery: Delivery): Promise<void> {
  const { log } = options;
  const deadline = Date.now() + options.leaseMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await options.recordSent(delivery.id);
      return;
    } catch (err) {
      const wait = backoffMs(attempt, { baseMs: 100, maxMs: 5_000 });
      if (Date.now() + wait > deadline) {
        log.error({ err, event_id: delivery.event_id }, 'email sent but not recorded; it may be sent again');
        return;
      }
      log.warn({ err, event_id: delivery.event_id }, 'email sent; recording it failed, trying again');
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function recordFailure(options: SendOptions, delivery: Delivery, err: unknown): Promise<void> {
  const { pool, log } = options;
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
