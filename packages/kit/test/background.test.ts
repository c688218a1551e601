import { ROOT_CONTEXT, context, propagation, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import {
  backoffMs,
  captureTraceContext,
  inStoredTrace,
  linkToStoredTrace,
  startLoop,
  type Loop,
} from '../src/background.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
});
afterAll(async () => {
  await provider.shutdown();
  context.disable();
  propagation.disable();
  trace.disable();
});

const quiet = { error: vi.fn() };
const loops: Loop[] = [];
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.close()));
  vi.useRealTimers();
});

/**
 * Lets the timers set for "at once" fire, 10 ms in all: fake timers give a timer set while they
 * run a delay of at least 1 ms.
 */
async function settle() {
  for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(1);
}

/** A loop whose passes are counted; each pass can be held open until released. */
function countingLoop(options: { intervalMs?: number; more?: () => boolean; hold?: boolean } = {}) {
  const state = { passes: 0, release: () => {} };
  const loop = startLoop({
    name: 'test loop',
    intervalMs: options.intervalMs ?? 1_000,
    jitter: 0.2,
    random: () => 0,
    log: quiet,
    pass: async () => {
      state.passes += 1;
      if (options.hold) await new Promise<void>((resolve) => (state.release = resolve));
      return options.more?.() ?? false;
    },
  });
  loops.push(loop);
  return { loop, state };
}

describe('backoff', () => {
  it('doubles with every attempt, stays within the cap and keeps at least half of the step', () => {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffMs(1, policy, () => 0)).toBe(500);
    expect(backoffMs(1, policy, () => 1)).toBe(1000);
    expect(backoffMs(3, policy, () => 1)).toBe(4000);
    expect(backoffMs(3, policy, () => 0)).toBe(2000);
    expect(backoffMs(30, policy, () => 1)).toBe(60_000);
    expect(backoffMs(30, policy, () => 0)).toBe(30_000);
    expect(backoffMs(5000, policy, () => 1)).toBe(60_000);
    expect(backoffMs(0, policy, () => 1)).toBe(1000);
  });
});

describe('loop', () => {
  it('runs a pass at once, then one per interval less at most half the jitter', async () => {
    vi.useFakeTimers();
    const { state } = countingLoop({ intervalMs: 1_000 });
    await settle();
    expect(state.passes).toBe(1);
    // random() = 0 with 20 % jitter: the interval is 900 ms.
    await vi.advanceTimersByTimeAsync(889);
    expect(state.passes).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.passes).toBe(2);
    await vi.advanceTimersByTimeAsync(900 * 3);
    expect(state.passes).toBe(5);
  });

  it('runs again at once while a pass says more is waiting', async () => {
    vi.useFakeTimers();
    let left = 3;
    const { state } = countingLoop({ more: () => --left > 0 });
    await settle();
    expect(state.passes).toBe(3);
    await vi.advanceTimersByTimeAsync(880);
    expect(state.passes).toBe(3);
  });

  it('is woken at once when idle, and right after the pass in progress when busy', async () => {
    vi.useFakeTimers();
    const { loop, state } = countingLoop({ hold: true });
    await settle();
    expect(state.passes).toBe(1);
    loop.wake();
    loop.wake();
    await settle();
    expect(state.passes).toBe(1); // passes never overlap
    state.release();
    await settle();
    expect(state.passes).toBe(2); // the two wakes asked for one more pass
    state.release();
    await settle();
    expect(state.passes).toBe(2);
    loop.wake();
    await settle();
    expect(state.passes).toBe(3);
    state.release();
  });

  it('waits for the pass in progress on close and runs none after it', async () => {
    vi.useFakeTimers();
    const { loop, state } = countingLoop({ hold: true });
    await settle();
    let closed = false;
    const closing = loop.close().then(() => (closed = true));
    loop.wake();
    await settle();
    expect(closed).toBe(false);
    state.release();
    await closing;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(state.passes).toBe(1);
  });

  it('logs a failing pass and backs off before the next, then carries on', async () => {
    vi.useFakeTimers();
    const log = { error: vi.fn() };
    let passes = 0;
    const loop = startLoop({
      name: 'flaky',
      intervalMs: 100,
      jitter: 0,
      random: () => 1,
      log,
      pass: async () => {
        passes += 1;
        if (passes <= 3) throw new Error(`failure ${passes}`);
      },
    });
    loops.push(loop);
    await settle();
    expect(passes).toBe(1);
    expect(log.error).toHaveBeenCalledWith(
      expect.objectContaining({ loop: 'flaky', failures: 1 }),
      'flaky pass failed',
    );
    await vi.advanceTimersByTimeAsync(90); // first failure: one interval
    expect(passes).toBe(2);
    await vi.advanceTimersByTimeAsync(199); // second: twice the interval
    expect(passes).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes).toBe(3);
    await vi.advanceTimersByTimeAsync(400); // third: four times
    expect(passes).toBe(4);
    await vi.advanceTimersByTimeAsync(100); // a pass that worked: back to the interval
    expect(passes).toBe(5);
  });

  it('counts its passes by outcome from zero, in a counter every loop of a registry shares', async () => {
    vi.useFakeTimers();
    const registry = new Registry();
    let fail = false;
    const make = (name: string) =>
      startLoop({
        name,
        intervalMs: 100,
        jitter: 0,
        log: quiet,
        registry,
        pass: async () => {
          if (fail) throw new Error('no');
        },
      });
    const counted = async () =>
      (await registry.getSingleMetric('minishop_background_passes_total')!.get()).values.map((v) => [
        v.labels.loop,
        v.labels.outcome,
        v.value,
      ]);
    loops.push(make('first'));
    expect(await counted()).toEqual([
      ['first', 'ok', 0],
      ['first', 'failed', 0],
    ]);
    await settle();
    loops.push(make('second'));
    await settle();
    fail = true;
    await vi.advanceTimersByTimeAsync(100);
    expect(await counted()).toEqual([
      ['first', 'ok', 1],
      ['first', 'failed', 1],
      ['second', 'ok', 1],
      ['second', 'failed', 1],
    ]);
  });

  it('runs every pass outside the trace of the request that woke it', async () => {
    const seen: Array<string | undefined> = [];
    let logged: string | null = 'not yet';
    const loop = startLoop({
      name: 'traced',
      intervalMs: 60_000,
      log: quiet,
      pass: async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        seen.push(trace.getSpanContext(context.active())?.traceId);
        logged = captureTraceContext();
      },
    });
    loops.push(loop);
    await eventually(async () => seen.length === 1, 'the first pass');
    const tracer = trace.getTracer('test');
    const request = tracer.startSpan('POST /notify');
    await context.with(trace.setSpan(ROOT_CONTEXT, request), async () => {
      expect(captureTraceContext()).toContain(request.spanContext().traceId);
      loop.wake();
    });
    await eventually(async () => seen.length === 2, 'the woken pass');
    request.end();
    expect(seen).toEqual([undefined, undefined]);
    expect(logged).toBeNull();
  });
});

/** With no spans exported yet: a finished request span, and the trace context stored while it ran. */
function storedTraceOf(name: string) {
  exporter.reset();
  const span = trace.getTracer('test').startSpan(name);
  const stored = context.with(trace.setSpan(ROOT_CONTEXT, span), () => captureTraceContext());
  span.end();
  return { span, stored };
}

describe('trace context of deferred work', () => {
  it('continues the stored trace as the parent of the deferred span, and only then', async () => {
    const tracer = trace.getTracer('test');
    const { span: request, stored } = storedTraceOf('POST /orders');
    expect(stored).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const answer = await inStoredTrace(stored, 'deliver', { 'minishop.event_id': 'e1' }, async () => {
      tracer.startSpan('inner').end();
      return 42;
    });
    expect(answer).toBe(42);
    await expect(
      inStoredTrace(null, 'untraced', {}, async () => Promise.reject(new Error('no'))),
    ).rejects.toThrow('no');

    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const deliver = spans.find((s) => s.name === 'deliver')!;
    const inner = spans.find((s) => s.name === 'inner')!;
    const untraced = spans.find((s) => s.name === 'untraced')!;
    expect(deliver.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(deliver.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(deliver.attributes['minishop.event_id']).toBe('e1');
    expect(inner.parentSpanContext?.spanId).toBe(deliver.spanContext().spanId);
    expect(untraced.spanContext().traceId).not.toBe(request.spanContext().traceId);
    expect(untraced.parentSpanContext).toBeUndefined();
    expect(untraced.status.code).toBe(2); // ERROR
  });

  it('links a span to the stored trace it concerns', async () => {
    const tracer = trace.getTracer('test');
    const { span: charge, stored } = storedTraceOf('POST /payments/charges');
    tracer.startActiveSpan('POST /payments/webhooks/provider', (webhook: Span) => {
      linkToStoredTrace(stored);
      linkToStoredTrace('not a traceparent');
      webhook.end();
    });
    await provider.forceFlush();
    const webhook = exporter.getFinishedSpans().find((s) => s.name === 'POST /payments/webhooks/provider')!;
    expect(webhook.spanContext().traceId).not.toBe(charge.spanContext().traceId);
    expect(webhook.links.map((l) => l.context.spanId)).toEqual([charge.spanContext().spanId]);
  });
});
