// The delivery worker: takes due emails from the delivery log (several workers or replicas never
// take the same one), renders and sends each, and schedules a retry with exponential backoff and
// jitter after a failure, until the attempts are used up and the email is marked failed.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from '@minishop/kit/db';
import { claimDue, markAttemptFailed, markSent, type Delivery } from '../data/deliveries.repository.ts';
import { isPermanentSmtpFailure, type Mailer } from './mailer.ts';
import type { EventType } from './notification-events.ts';
import { renderEmail } from './templates.ts';

export interface WorkerOptions {
  pool: Pool;
  mailer: Mailer;
  log: FastifyBaseLogger;
  pollIntervalMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a taken delivery stays reserved for its worker; longer than any one send can take. */
  leaseMs: number;
  /** The shop's public base URL, for links in emails. */
  publicUrl: string;
  batchSize?: number;
}

export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the exponential delay, so retries spread out but still back off.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class DeliveryWorker {
  private readonly options: WorkerOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(options: WorkerOptions) {
    this.options = options;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due emails now (after a new event was stored). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (!this.stopped) this.schedule(this.again ? 0 : this.options.pollIntervalMs);
      this.again = false;
    });
    await this.running;
  }

  private async drain(): Promise<void> {
    const batchSize = this.options.batchSize ?? 20;
    try {
      for (;;) {
        this.again = false;
        const due = await claimDue(this.options.pool, batchSize, this.options.leaseMs);
        await Promise.all(due.map((delivery) => this.deliver(delivery)));
        if (due.length < batchSize || this.stopped) return;
      }
    } catch (err) {
      this.options.log.error({ err }, 'delivery worker could not read the delivery log');
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    const { pool, log } = this.options;
    let email: ReturnType<typeof renderEmail>;
    try {
      email = renderEmail(delivery.type as EventType, delivery.data, { publicUrl: this.options.publicUrl });
    } catch (err) {
      // Stored data that cannot be rendered will not render on a retry either.
      log.error({ err, event_id: delivery.event_id }, 'email could not be rendered');
      await markAttemptFailed(pool, delivery.id, `rendering failed: ${(err as Error).message}`, null).catch(
        () => {},
      );
      return;
    }
    try {
      await this.options.mailer.send({ to: delivery.recipient, eventId: delivery.event_id, ...email });
      await markSent(pool, delivery.id);
      log.info(
        { event_id: delivery.event_id, type: delivery.type, attempts: delivery.attempts },
        'email sent',
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = delivery.attempts >= this.options.maxAttempts || isPermanentSmtpFailure(err);
      const retryIn = final
        ? null
        : retryDelayMs(delivery.attempts, this.options.backoffBaseMs, this.options.backoffMaxMs);
      log.warn(
        { event_id: delivery.event_id, attempts: delivery.attempts, retry_in_ms: retryIn, err: message },
        final ? 'email delivery failed for good' : 'email delivery failed; will retry',
      );
      await markAttemptFailed(pool, delivery.id, message, retryIn).catch((dbErr: unknown) =>
        log.error({ err: dbErr, event_id: delivery.event_id }, 'could not record a failed delivery'),
      );
    }
  }
}
