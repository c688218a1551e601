// Background work of a service process: one loop for everything that runs on a timer (relays,
// workers, resumers, sweepers), one backoff for everything that retries later, and the trace
// context that deferred work carries from the request that asked for it.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Attributes,
  type SpanContext,
} from '@opentelemetry/api';
import { Counter, type Registry } from 'prom-client';
import { withRootContext } from './telemetry.ts';

export interface BackoffPolicy {
  /** Delay after the first failure (the upper end; jitter takes up to half of it off). */
  baseMs: number;
  /** Longest delay, however many failures came before. */
  maxMs: number;
}

/**
 * How long to wait after `attempt` failures in a row (1 for the first): base·2^(attempt−1),
 * capped at max, with "equal jitter" (between half and all of it), so retries of many callers
 * spread out and still back off.
 */
export function backoffMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 52);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface LoopLogger {
  error(obj: object, msg: string): void;
}

export interface LoopOptions {
  /** Names the loop in its log lines. */
  name: string;
  /** Time between two passes when there is nothing more to do. */
  intervalMs: number;
  /**
   * Share of the interval that is random (default 0.1): the passes of several replicas drift
   * apart instead of hitting the database together.
   */
  jitter?: number;
  /** One pass of the work; resolving true means more is waiting, so the next pass starts at once. */
  pass: () => Promise<boolean | void>;
  log: LoopLogger;
  /** Longest wait after passes that keep failing (default: 30 s, or the interval if longer). */
  maxFailureDelayMs?: number;
  /** Counts the loop's passes here (`minishop_background_passes_total`), so a stalled loop shows. */
  registry?: Registry;
  random?: () => number;
}

const PASSES = 'minishop_background_passes_total';

/** The pass counter of a registry, shared by every loop that counts there. */
function passCounter(registry: Registry): Counter<'loop' | 'outcome'> {
  return (
    (registry.getSingleMetric(PASSES) as Counter<'loop' | 'outcome'> | undefined) ??
    new Counter({
      name: PASSES,
      help: 'Passes of the background loops (outbox relays, workers) by outcome: ok or failed',
      labelNames: ['loop', 'outcome'] as const,
      registers: [registry],
    })
  );
}

export interface Loop {
  /** Runs a pass now, or right after the one in progress. */
  wake(): void;
  /** Stops the loop; resolves once a pass in progress has finished. No pass starts after it. */
  close(): Promise<void>;
}

/**
 * Starts a loop whose first pass runs at once. Passes never overlap. Every pass runs under the
 * root OpenTelemetry context and as part of no request (withRootContext): a loop woken from a
 * request handler must not add its work to that request's trace, nor its calls and log lines carry
 * that request's id.
 */
export function startLoop(options: LoopOptions): Loop {
  const random = options.random ?? Math.random;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.1));
  const failurePolicy: BackoffPolicy = {
    baseMs: options.intervalMs,
    maxMs: options.maxFailureDelayMs ?? Math.max(options.intervalMs, 30_000),
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  let failures = 0;
  const passes = options.registry ? passCounter(options.registry) : undefined;
  passes?.inc({ loop: options.name, outcome: 'ok' }, 0);
  passes?.inc({ loop: options.name, outcome: 'failed' }, 0);

  const interval = () => Math.round(options.intervalMs * (1 - jitter / 2 + random() * jitter));

  function schedule(delayMs: number): void {
    clearTimeout(timer);
    // The timer is made in the root context too, so nothing of a waking request is kept alive by it.
    timer = withRootContext(() => setTimeout(run, delayMs));
    timer.unref();
  }

  function run(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    again = false;
    running = withRootContext(pass).then((delay) => {
      running = null;
      if (!closed) schedule(again ? 0 : delay);
    });
  }

  /** Runs the work once; resolves with the wait before the next pass. */
  async function pass(): Promise<number> {
    try {
      const more = await options.pass();
      failures = 0;
      passes?.inc({ loop: options.name, outcome: 'ok' });
      return more === true ? 0 : interval();
    } catch (err) {
      failures += 1;
      passes?.inc({ loop: options.name, outcome: 'failed' });
      options.log.error({ err, loop: options.name, failures }, `${options.name} pass failed`);
      return Math.max(interval(), backoffMs(failures, failurePolicy, random));
    }
  }

  schedule(0);
  return {
    wake() {
      if (closed) return;
      if (running) again = true;
      else schedule(0);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}

const tracer = () => trace.getTracer('minishop-background');

/**
 * The W3C traceparent of the span active now, to store with work that is done later (an outbox
 * event, an email, a payment); null when nothing is traced.
 */
export function captureTraceContext(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

function storedSpanContext(stored: string | null | undefined): SpanContext | undefined {
  if (!stored) return undefined;
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: stored }));
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * Runs deferred work in a span of its own whose parent is the stored trace context, so the work
 * joins the trace of the request that asked for it; without one it runs in a new trace. The span
 * ends with the work, so nothing is added to that trace afterwards.
 */
export function inStoredTrace<T>(
  stored: string | null | undefined,
  name: string,
  attributes: Attributes,
  work: () => Promise<T>,
): Promise<T> {
  const parent = storedSpanContext(stored);
  const base = parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  return tracer().startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, base, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Links the active span to a stored trace context (work that concerns an earlier request). */
export function linkToStoredTrace(stored: string | null | undefined): void {
  const target = storedSpanContext(stored);
  const span = trace.getSpan(context.active());
  if (target && span?.isRecording()) span.addLink({ context: target });
}
