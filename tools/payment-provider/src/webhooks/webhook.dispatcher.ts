// Turns domain events into Stripe event objects and delivers them to the webhook endpoint:
// asynchronously, signed, retried with exponential backoff until the endpoint answers 2xx,
// with the late and duplicate deliveries the fault settings ask for. Events and their deliveries
// are kept in the state file: after a restart, every event not yet delivered is sent again.
// Deliveries go through the kit's exchange over kept-alive connections, not the global fetch,
// whose streams and Headers objects had cost a fifth of the simulator's CPU.
import { exchange, keepAliveAgent } from '@minishop/kit/http-exchange';
import type { StateFile, StateRecord } from '../state/state-file.ts';
import type { EventSink, EventType, RequestInfo } from '../domain/event-sink.ts';
import { newId } from '../domain/object-id.ts';
import type { FaultsState } from '../faults/faults.state.ts';
import { signatureHeader } from './webhook-signature.ts';

export const API_VERSION = '2026-10-28.endive';
const MAX_RETRY_DELAY_MS = 60_000;
const MAX_KEPT_EVENTS = 10_000;

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: object };
  livemode: false;
  pending_webhooks: number;
  request: RequestInfo;
  type: EventType;
}

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error: string | null;
}

interface EventLog {
  event: StripeEvent;
  copies: number;
  delivered: number;
  attempts: DeliveryAttempt[];
}

export interface WebhookOptions {
  url: string | undefined;
  secret: string;
  maxAttempts: number;
  retryBaseMs: number;
  timeoutMs: number;
  faults: FaultsState;
  log: { warn(obj: object, msg: string): void };
  state?: StateFile;
}

export class WebhookDispatcher implements EventSink {
  private url: string | undefined;
  private readonly options: WebhookOptions;
  private readonly logs = new Map<string, EventLog>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly agent = keepAliveAgent();
  private closed = false;

  constructor(options: WebhookOptions) {
    this.options = options;
    this.url = options.url;
  }

  get endpoint(): string | undefined {
    return this.url;
  }

  setEndpoint(url: string | undefined): void {
    this.url = url;
  }

  emit(type: EventType, object: object, request: RequestInfo): void {
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: Math.floor(Date.now() / 1000),
      data: { object },
      livemode: false,
      pending_webhooks: this.url ? 1 : 0,
      request,
      type,
    };
    const copies = this.options.faults.strikes('webhook_duplicate_rate') ? 2 : 1;
    this.keep({ event, copies, delivered: 0, attempts: [] });
    this.options.state?.stage({ t: 'evt', v: event, copies });
    const delayMs = this.options.faults.get().webhook_delay_ms;
    for (let copy = 0; copy < copies; copy++) this.schedule(event.id, 1, delayMs);
  }

  /** Takes back an event or a delivery from a journal. */
  restore(record: StateRecord): void {
    if (record.t === 'evt') {
      this.keep({ event: record.v, copies: record.copies, delivered: record.delivered ?? 0, attempts: [] });
    }
    const log = record.t === 'dlv' ? this.logs.get(record.id) : undefined;
    if (log) log.delivered += 1;
  }

  /** Schedules the copies of every restored event that were not delivered before the restart. */
  resumePending(): void {
    for (const log of this.logs.values()) {
      for (let copy = log.delivered; copy < log.copies; copy++) this.schedule(log.event.id, 1, 0);
    }
  }

  snapshot(): StateRecord[] {
    return [...this.logs.values()].map((log) => ({
      t: 'evt',
      v: log.event,
      copies: log.copies,
      delivered: log.delivered,
    }));
  }

  event(id: string): StripeEvent | undefined {
    return this.logs.get(id)?.event;
  }

  /** Every kept event with its delivery record, oldest first. */
  history() {
    return [...this.logs.values()].map((log) => ({
      id: log.event.id,
      type: log.event.type,
      created: log.event.created,
      object_id: (log.event.data.object as { id?: string }).id ?? null,
      copies: log.copies,
      delivered: log.delivered,
      attempts: log.attempts,
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Destroying the agent also fails the deliveries in flight.
    await this.agent.destroy();
  }

  private keep(log: EventLog): void {
    this.logs.set(log.event.id, log);
    if (this.logs.size > MAX_KEPT_EVENTS) {
      const oldest = this.logs.keys().next().value;
      if (oldest !== undefined) this.logs.delete(oldest);
    }
  }

  private schedule(eventId: string, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.deliver(eventId, attempt);
    }, delayMs);
    this.timers.add(timer);
  }

  private async deliver(eventId: string, attempt: number): Promise<void> {
    const log = this.logs.get(eventId);
    const url = this.url;
    if (!log || !url || this.closed) return;
    const payload = JSON.stringify(log.event, null, 2);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await exchange(this.agent, url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(payload, this.options.secret, Math.floor(Date.now() / 1000)),
        },
        body: payload,
        timeoutMs: this.options.timeoutMs,
      });
      status = response.status;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    log.attempts.push({ at: new Date().toISOString(), status, error });
    if (status !== null && status >= 200 && status < 300) {
      log.delivered += 1;
      this.options.state?.stage({ t: 'dlv', id: eventId });
      this.options.state?.commit();
      return;
    }
    if (this.closed) return;
    this.options.log.warn({ event: eventId, attempt, status, error }, 'webhook delivery failed');
    if (attempt < this.options.maxAttempts) {
      const backoff = Math.min(this.options.retryBaseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
      this.schedule(eventId, attempt + 1, backoff);
    }
  }
}
