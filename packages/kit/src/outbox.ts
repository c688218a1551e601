// The outbox relay: delivers events that a service wrote to an outbox table (in the same
// transaction as the change they announce) to another service, at least once, in order per stream.
import { Gauge, type Registry } from 'prom-client';
import { counterFromZero } from './metrics.ts';
import type { Pool } from './db.ts';
import {
  backoffMs,
  inStoredTrace,
  linkToStoredTrace,
  startLoop,
  type BackoffPolicy,
  type Loop,
} from './background.ts';

/**
 * The columns every outbox table has (each service's migration creates its own table):
 *
 *   event_id text PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY,
 *   <stream column> (events of one stream are delivered in the order they were written),
 *   state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
 *   attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz NOT NULL DEFAULT now(),
 *   last_error text, created_at timestamptz NOT NULL DEFAULT now(), delivered_at timestamptz,
 *   trace_context text (captureTraceContext() of the writer),
 *
 * with the indexes (seq) WHERE state = 'pending' and (<stream column>, seq) WHERE state = 'pending'.
 * The rest of the row is the service's own; the relay hands the whole row to `send`.
 */
export interface OutboxRow {
  event_id: string;
  attempts: number;
  trace_context: string | null;
  created_at: Date;
}

export interface RelayLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface OutboxRelayOptions<E extends OutboxRow> {
  pool: Pool;
  /** The outbox table. */
  table: string;
  /** The column whose events are delivered one after another, oldest first. */
  streamColumn: string;
  /** Who receives the events: names spans, log lines and metric labels. */
  receiver: string;
  /**
   * Sends one event and returns the receiver's HTTP status. Throwing means no answer came
   * (unreachable, timed out, 5xx after the client's retries): the event is tried again later.
   */
  send: (event: E) => Promise<{ status: number }>;
  /**
   * Sends the events of a pass in one call, when the receiver takes several at once (a pass of
   * one event uses `send`). `statuses` answers each event, in order, as `send` would; without it
   * `status` answers them all, except that a refusal of the whole call (one bad event can make
   * a receiver refuse it) sends each event on its own, so each gets its own outcome. Throwing
   * means no answer came, for any of them.
   */
  sendBatch?: (events: E[]) => Promise<{ status: number; statuses?: number[] }>;
  log: RelayLogger;
  /** Registers the relay's metrics here (backlog, age of the oldest event, outcomes). */
  registry?: Registry;
  intervalMs?: number;
  batchSize?: number;
  /** How long a claimed event is left to this relay before another may send it. */
  leaseMs?: number;
  backoff?: BackoffPolicy;
  /** Tries in all after which an event the receiver keeps refusing is set aside. */
  maxRefusals?: number;
}

export interface OutboxRelay {
  /** Starts delivering on the loop (idempotent). */
  start(): void;
  /** Delivers what is due now (after a commit that wrote events). */
  wake(): void;
  /** One pass: claims due events, sends them and records the outcomes; returns how many it claimed. */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

type Outcome =
  | { event_id: string; state: 'delivered' }
  | { event_id: string; state: 'pending'; delayMs: number; error: string }
  | { event_id: string; state: 'rejected'; error: string };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export const RELAY_DEFAULTS = {
  intervalMs: 1_000,
  batchSize: 50,
  leaseMs: 30_000,
  backoff: { baseMs: 1_000, maxMs: 300_000 },
  maxRefusals: 10,
};

/**
 * The one give-up rule: a 4xx other than 408 (timeout) and 429 (too busy) means the receiver
 * refuses the event. A refusal can be passing (a token being rotated, a replica that has not
 * seen the order yet), so a refused event is retried with backoff until it has been tried
 * `maxRefusals` times in all, then set aside (state 'rejected', logged at error). No answer, a
 * timeout, a 5xx, 408 or 429 never sets an event aside: it is retried with backoff until delivered.
 */
export function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function createOutboxRelay<E extends OutboxRow>(options: OutboxRelayOptions<E>): OutboxRelay {
  const { pool, table, streamColumn, receiver, log } = options;
  for (const name of [table, streamColumn]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  }
  const batchSize = options.batchSize ?? RELAY_DEFAULTS.batchSize;
  const leaseMs = options.leaseMs ?? RELAY_DEFAULTS.leaseMs;
  const count = options.registry ? relayMetrics(options.registry, pool, table, receiver) : undefined;
  const sql = relaySql(table, streamColumn);

  let followed = false;
  async function runOnce(): Promise<number> {
    const { rows } = await pool.query<E & { relay_followed: boolean }>(sql.claim, [batchSize, leaseMs]);
    if (rows.length === 0) return 0;
    const results = await deliverAll(options, rows);
    await pool.query(sql.record, [
      results.map((r) => r.event_id),
      results.map((r) => r.state),
      results.map((r) => (r.state === 'pending' ? r.delayMs : 0)),
      results.map((r) => (r.state === 'delivered' ? null : r.error)),
    ]);
    for (const r of results) count?.(OUTCOME_LABEL[r.state]);
    followed = rows.some((row, i) => row.relay_followed && results[i]!.state !== 'pending');
    return rows.length;
  }

  let loop: Loop | null = null;
  return {
    start() {
      loop ??= startLoop({
        name: `outbox relay to ${receiver}`,
        intervalMs: options.intervalMs ?? RELAY_DEFAULTS.intervalMs,
        log,
        registry: options.registry,
        pass: async () => (await runOnce()) >= batchSize || followed,
      });
    },
    wake: () => loop?.wake(),
    runOnce,
    close: async () => loop?.close(),
  };
}

/** The relay's two statements for one table. */
function relaySql(table: string, stream: string): { claim: string; record: string } {
  return {
    // Due events, each only when no earlier event of its stream is still pending; `followed` says
    // whether a later one is waiting for it, so the next pass can start at once.
    claim: `
      UPDATE ${table} AS o
         SET attempts = o.attempts + 1,
             next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE o.event_id IN (
         SELECT c.event_id FROM ${table} c
          WHERE c.state = 'pending' AND c.next_attempt_at <= now()
            AND NOT EXISTS (SELECT 1 FROM ${table} e
                             WHERE e.${stream} = c.${stream} AND e.state = 'pending' AND e.seq < c.seq)
          ORDER BY c.seq
          LIMIT $1
          FOR UPDATE SKIP LOCKED)
      RETURNING o.*, EXISTS (SELECT 1 FROM ${table} f
                              WHERE f.${stream} = o.${stream} AND f.state = 'pending' AND f.seq > o.seq)
                     AS relay_followed`,
    // Every outcome of a pass in one statement.
    record: `
      UPDATE ${table} AS o
         SET state = v.state,
             delivered_at = CASE WHEN v.state = 'delivered' THEN now() ELSE o.delivered_at END,
             next_attempt_at = CASE WHEN v.state = 'pending'
                                    THEN now() + make_interval(secs => v.delay_ms / 1000)
                                    ELSE o.next_attempt_at END,
             last_error = v.error
        FROM unnest($1::text[], $2::text[], $3::double precision[], $4::text[])
             AS v(event_id, state, delay_ms, error)
       WHERE o.event_id = v.event_id`,
  };
}

/** The receiver's answer to one event: its HTTP status, or why no answer came. */
type Answer = { status: number } | { error: unknown };

/** Sends the claimed events (in one call when the receiver takes batches) and says what became of each. */
async function deliverAll<E extends OutboxRow>(
  options: OutboxRelayOptions<E>,
  events: E[],
): Promise<Outcome[]> {
  const answers =
    options.sendBatch && events.length > 1
      ? await sendBatch(options, options.sendBatch, events)
      : await Promise.all(events.map((event) => sendOne(options, event)));
  return events.map((event, i) => outcome(options, event, answers[i]!));
}

/** Sends one claimed event under the trace context it was written in. */
function sendOne<E extends OutboxRow>(options: OutboxRelayOptions<E>, event: E): Promise<Answer> {
  return inStoredTrace(
    event.trace_context,
    `outbox deliver to ${options.receiver}`,
    { 'minishop.event_id': event.event_id, 'minishop.attempt': event.attempts },
    () => options.send(event),
  ).catch((error: unknown) => ({ error }));
}

/** Sends the events in one call, in a span of its own linked to the trace each event was written in. */
async function sendBatch<E extends OutboxRow>(
  options: OutboxRelayOptions<E>,
  send: NonNullable<OutboxRelayOptions<E>['sendBatch']>,
  events: E[],
): Promise<Answer[]> {
  let answer: { status: number; statuses?: number[] };
  try {
    answer = await inStoredTrace(
      null,
      `outbox deliver batch to ${options.receiver}`,
      { 'minishop.batch_size': events.length },
      () => {
        for (const event of events) linkToStoredTrace(event.trace_context);
        return send(events);
      },
    );
  } catch (error) {
    return events.map(() => ({ error }));
  }
  const { status, statuses } = answer;
  if (statuses?.length === events.length) return statuses.map((s) => ({ status: s }));
  if (isRefusal(status)) return Promise.all(events.map((event) => sendOne(options, event)));
  return events.map(() => ({ status }));
}

/** What becomes of an event given the receiver's answer, by the give-up rule. */
function outcome<E extends OutboxRow>(options: OutboxRelayOptions<E>, event: E, answer: Answer): Outcome {
  const { receiver, log } = options;
  const tries = event.attempts;
  let error: string;
  let refused = false;
  if ('status' in answer) {
    const { status } = answer;
    if (status >= 200 && status < 300) return { event_id: event.event_id, state: 'delivered' };
    refused = isRefusal(status);
    error = `${receiver} answered ${status}`;
  } else {
    const err = answer.error;
    error = err instanceof Error ? err.message : String(err);
  }
  error = error.slice(0, 1000);
  if (refused && tries >= (options.maxRefusals ?? RELAY_DEFAULTS.maxRefusals)) {
    log.error(
      { event_id: event.event_id, attempts: tries, error },
      `event refused by ${receiver}; set aside`,
    );
    return { event_id: event.event_id, state: 'rejected', error };
  }
  const delayMs = backoffMs(tries, options.backoff ?? RELAY_DEFAULTS.backoff);
  log.warn(
    { event_id: event.event_id, attempts: tries, retry_in_ms: delayMs, error },
    `event delivery to ${receiver} failed; will retry`,
  );
  return { event_id: event.event_id, state: 'pending', delayMs, error };
}

const OUTCOME_LABEL = { delivered: 'delivered', pending: 'retried', rejected: 'set_aside' } as const;

/** Outcome counters (from zero) and, read when scraped, the backlog and the age of its oldest event. */
function relayMetrics(
  registry: Registry,
  pool: Pool,
  table: string,
  receiver: string,
): (outcome: (typeof OUTCOME_LABEL)[keyof typeof OUTCOME_LABEL]) => void {
  const outcomes = counterFromZero(registry, {
    name: 'minishop_outbox_deliveries_total',
    help: 'Outbox delivery attempts by outcome: delivered, retried (will be tried again) or set_aside',
    labels: { receiver: [receiver], outcome: Object.values(OUTCOME_LABEL) },
  });

  scrapedGauges(
    registry,
    async () => {
      const { rows } = await pool.query<{ pending: string; age: number | null }>(
        `SELECT (SELECT count(*) FROM ${table} WHERE state = 'pending') AS pending,
                (SELECT extract(epoch FROM now() - created_at)::float8 FROM ${table}
                  WHERE state = 'pending' ORDER BY seq LIMIT 1) AS age`,
      );
      return { pending: Number(rows[0]?.pending ?? 0), ageSeconds: rows[0]?.age ?? 0 };
    },
    [
      {
        name: 'minishop_outbox_backlog_events',
        help: 'Outbox events not yet delivered (set-aside events excluded)',
        field: 'pending',
      },
      {
        name: 'minishop_outbox_oldest_event_age_seconds',
        help: 'Age of the oldest outbox event not yet delivered (0 when none waits)',
        field: 'ageSeconds',
      },
    ],
    { receiver },
  );
  return (outcome) => outcomes.inc({ receiver, outcome });
}

/**
 * Gauges whose values are read (from the database, say) when they are scraped: one read answers
 * every gauge of a scrape, and a read that fails leaves them as they were rather than failing it.
 */
export function scrapedGauges<K extends string>(
  registry: Registry,
  read: () => Promise<Record<K, number>>,
  gauges: Array<{ name: string; help: string; field: K }>,
  labels: Record<string, string> = {},
): void {
  let reading: Promise<Record<K, number> | null> | null = null;
  const current = () =>
    (reading ??= read()
      .catch(() => null)
      // Shared by the gauges of one scrape only: the next scrape reads again.
      .finally(() => setImmediate(() => (reading = null))));
  for (const { name, help, field } of gauges) {
    new Gauge({
      name,
      help,
      labelNames: Object.keys(labels),
      registers: [registry],
      async collect() {
        const values = await current();
        if (values) this.set(labels, values[field]);
      },
    });
  }
}
