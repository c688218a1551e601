// Orders' outbox relay against a real database, with Notifications played by a script: events
// reach it once each, an order's events in the order they were written, refused ones set aside.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, migrate, withTransaction, type Pool } from '@minishop/kit/db';
import { testDatabaseUrl } from '@minishop/devstack/testing';
import { enqueue } from '../src/data/outbox.repository.ts';
import { relayOutbox } from '../src/domain/outbox-relay.ts';
import { scriptedUpstreams, type Script } from './scripted-upstreams.ts';

let pool: Pool;
beforeAll(async () => {
  pool = createPool(await testDatabaseUrl('orders_outbox'));
  await migrate(pool, path.join(import.meta.dirname, '../migrations'));
});
afterAll(() => pool?.end());

/** An order's OrderPlaced and PaymentConfirmed, written as the saga writes them. */
async function announced(orderId = randomUUID()) {
  for (const type of ['OrderPlaced', 'PaymentConfirmed']) {
    await withTransaction(pool, (tx) =>
      enqueue(tx, {
        event_id: `${orderId}:${type}`,
        order_id: orderId,
        type,
        recipient: 'grace@example.test',
        payload: { order_id: orderId },
      }),
    );
  }
  return orderId;
}

function relay(script: Partial<Script>) {
  const scripted = scriptedUpstreams(script);
  const deps = { pool, upstreams: scripted.upstreams, log: pino({ level: 'silent' }) };
  return {
    ...scripted,
    /** Makes the order's waiting events due, as if their backoff had passed, and runs a pass. */
    async pass(orderId: string) {
      await pool.query(`UPDATE outbox SET next_attempt_at = now() WHERE order_id = $1`, [orderId]);
      return relayOutbox(deps);
    },
  };
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

const notified = (calls: { name: string; args: unknown[] }[], orderId: string) =>
  calls
    .filter((c) => c.name === 'notify' && JSON.stringify(c.args).includes(orderId))
    .map((c) => (c.args[0] as { type: string }).type);

describe('outbox relay', () => {
  it('retries events Notifications cannot take now and delivers each once, in order', async () => {
    const t = relay({ failures: { notify: 2 } });
    const orderId = await announced();
    for (let i = 0; i < 5; i++) await t.pass(orderId);
    const { rows } = await pool.query(
      'SELECT type, delivered_at IS NOT NULL AS delivered FROM outbox WHERE order_id = $1 ORDER BY type',
      [orderId],
    );
    expect(rows).toEqual([
      { type: 'OrderPlaced', delivered: true },
      { type: 'PaymentConfirmed', delivered: true },
    ]);
    // Two failed tries, then one delivery of each event, the order's first event first.
    expect(notified(t.calls, orderId)).toEqual([
      'OrderPlaced',
      'OrderPlaced',
      'OrderPlaced',
      'PaymentConfirmed',
    ]);
  });

  it('sets aside an event Notifications keeps rejecting instead of retrying it forever', async () => {
    const t = relay({ notifyStatus: 422 });
    const orderId = await announced();
    for (let i = 0; i < 25; i++) await t.pass(orderId);
    const { rows } = await pool.query(
      `SELECT type, state, attempts, last_error FROM outbox WHERE order_id = $1 ORDER BY seq`,
      [orderId],
    );
    expect(rows).toEqual([
      { type: 'OrderPlaced', state: 'rejected', attempts: 10, last_error: 'notifications answered 422' },
      { type: 'PaymentConfirmed', state: 'rejected', attempts: 10, last_error: 'notifications answered 422' },
    ]);
    expect(notified(t.calls, orderId)).toHaveLength(20);
  });

  it('sends the events of a pass to Notifications in one request', async () => {
    const t = relay({});
    // Earlier tests' events are done with; these two orders' are all that is due.
    await pool.query(`UPDATE outbox SET state = 'delivered' WHERE state = 'pending'`);
    const orders = [await announced(), await announced()];
    await pool.query(`UPDATE outbox SET trace_context = $1 WHERE order_id = $2`, [TRACEPARENT, orders[0]]);
    for (let i = 0; i < 3; i++) await t.pass(orders[0]!);
    const batches = t.calls
      .filter((c) => c.name === 'notifyBatch')
      .map((c) =>
        (c.args[0] as Array<{ event_id: string; traceparent?: string }>).map((n) => n.event_id).sort(),
      );
    // An order's second event waits for its first: one request per pass, each with both orders.
    expect(batches).toEqual([
      orders.map((o) => `${o}:OrderPlaced`).sort(),
      orders.map((o) => `${o}:PaymentConfirmed`).sort(),
    ]);
    expect(t.count('notify')).toBe(0);
    const sent = t.calls.flatMap((c) =>
      c.name === 'notifyBatch' ? (c.args[0] as Array<{ event_id: string; traceparent?: string }>) : [],
    );
    expect(sent.find((n) => n.event_id === `${orders[0]}:OrderPlaced`)?.traceparent).toBe(TRACEPARENT);
    expect(sent.find((n) => n.event_id === `${orders[1]}:OrderPlaced`)).not.toHaveProperty('traceparent');
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM outbox WHERE order_id = ANY($1) AND state = 'delivered'`,
      [orders],
    );
    expect(rows[0].n).toBe(4);
  });

  it('keeps the trace context of the request that wrote an event', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider());
    try {
      const untraced = await announced();
      const request = trace.getTracer('test').startSpan('POST /orders');
      const traced = await context.with(trace.setSpan(ROOT_CONTEXT, request), () => announced());
      request.end();
      const { rows } = await pool.query(
        'SELECT order_id, trace_context FROM outbox WHERE order_id = ANY($1) ORDER BY order_id = $2, seq',
        [[untraced, traced], traced],
      );
      const { traceId, spanId } = request.spanContext();
      expect(rows.map((r) => r.trace_context)).toEqual([
        null,
        null,
        `00-${traceId}-${spanId}-01`,
        `00-${traceId}-${spanId}-01`,
      ]);
    } finally {
      trace.disable();
      propagation.disable();
      context.disable();
    }
  });
});
