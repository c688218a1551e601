import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, testDatabaseUrl } from '@minishop/devstack/testing';
import { createPool, type Pool } from '../src/db.ts';
import { createOutboxRelay, isRefusal, type OutboxRelay, type OutboxRow } from '../src/outbox.ts';

interface Event extends OutboxRow {
  topic: string;
  body: string;
}

const silent = { error() {}, warn() {}, debug() {} };
let pool: Pool;

beforeAll(async () => {
  pool = createPool(await testDatabaseUrl('kit_outbox'));
  // The columns and indexes every outbox table has (see outbox.ts), plus two of this test's own.
  await pool.query(`
    CREATE TABLE events (
      event_id text PRIMARY KEY,
      seq bigint GENERATED ALWAYS AS IDENTITY,
      topic text NOT NULL,
      body text NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      trace_context text,
      created_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz
    );
    CREATE INDEX events_due_idx ON events (seq) WHERE state = 'pending';
    CREATE INDEX events_topic_idx ON events (topic, seq) WHERE state = 'pending';`);
});
afterAll(() => pool?.end());

/** Writes events of a fresh topic; returns the topic. */
async function write(bodies: string[], topic: string = randomUUID()): Promise<string> {
  for (const body of bodies) {
    await pool.query('INSERT INTO events (event_id, topic, body) VALUES ($1, $2, $3)', [
      `${topic}:${body}`,
      topic,
      body,
    ]);
  }
  return topic;
}

async function rowsOf(topic: string) {
  const { rows } = await pool.query<{
    body: string;
    state: string;
    attempts: number;
    last_error: string | null;
  }>('SELECT body, state, attempts, last_error FROM events WHERE topic = $1 ORDER BY seq', [topic]);
  return rows;
}

/** Makes the topic's pending events due now, as if their backoff had passed. */
const makeDue = (topic: string) =>
  pool.query(`UPDATE events SET next_attempt_at = now() WHERE topic = $1 AND state = 'pending'`, [topic]);

/** The relay over this test's table, with a minute's backoff and three tries for a refused event. */
const testRelay = () => ({
  pool,
  table: 'events',
  streamColumn: 'topic',
  receiver: 'test',
  log: silent,
  backoff: { baseMs: 60_000, maxMs: 60_000 },
  maxRefusals: 3,
});

/** A relay over this test's events, delivering only those of one topic to a scripted receiver. */
function relayFor(topic: string, answer: (event: Event) => number | Promise<number>, registry?: Registry) {
  const sent: string[] = [];
  const relay = createOutboxRelay<Event>({
    ...testRelay(),
    registry,
    batchSize: 10,
    intervalMs: 60_000,
    send: async (event) => {
      // Another test's events are answered as delivered and not counted.
      if (event.topic !== topic) return { status: 204 };
      sent.push(event.body);
      return { status: await answer(event) };
    },
  });
  return { relay, sent };
}

describe('outbox relay', () => {
  it('delivers each event once, a stream in the order it was written', async () => {
    const topic = await write(['a', 'b', 'c']);
    const { relay, sent } = relayFor(topic, () => 202);
    // Only the oldest pending event of a stream is claimed: one per pass.
    for (let i = 0; i < 3; i++) await relay.runOnce();
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(await rowsOf(topic)).toEqual([
      { body: 'a', state: 'delivered', attempts: 1, last_error: null },
      { body: 'b', state: 'delivered', attempts: 1, last_error: null },
      { body: 'c', state: 'delivered', attempts: 1, last_error: null },
    ]);
    await relay.runOnce();
    expect(sent).toHaveLength(3);
  });

  it('retries an event without an answer after its backoff, holding back the later ones', async () => {
    const topic = await write(['first', 'second']);
    let down = true;
    const { relay, sent } = relayFor(topic, () => {
      if (down) throw new Error('connect ECONNREFUSED');
      return 200;
    });
    await relay.runOnce();
    await relay.runOnce(); // not due yet: its backoff is a minute
    expect(sent).toEqual(['first']);
    expect(await rowsOf(topic)).toMatchObject([
      { body: 'first', state: 'pending', attempts: 1, last_error: 'connect ECONNREFUSED' },
      { body: 'second', state: 'pending', attempts: 0 },
    ]);
    down = false;
    await makeDue(topic);
    await relay.runOnce();
    await relay.runOnce();
    expect(sent).toEqual(['first', 'first', 'second']);
    expect((await rowsOf(topic)).map((r) => r.state)).toEqual(['delivered', 'delivered']);
  });

  it('sets aside an event the receiver keeps refusing after the tries allowed, and goes on', async () => {
    const topic = await write(['bad', 'good']);
    const { relay, sent } = relayFor(topic, (event) => (event.body === 'bad' ? 422 : 202));
    for (let i = 0; i < 4; i++) {
      await makeDue(topic);
      await relay.runOnce();
    }
    expect(sent).toEqual(['bad', 'bad', 'bad', 'good']);
    expect(await rowsOf(topic)).toEqual([
      { body: 'bad', state: 'rejected', attempts: 3, last_error: 'test answered 422' },
      { body: 'good', state: 'delivered', attempts: 1, last_error: null },
    ]);
  });

  it.each([429, 408, 503])('never sets aside an event answered %i', async (status) => {
    const topic = await write(['busy']);
    const { relay, sent } = relayFor(topic, () => status);
    for (let i = 0; i < 5; i++) {
      await makeDue(topic);
      await relay.runOnce();
    }
    expect(sent).toHaveLength(5);
    expect(await rowsOf(topic)).toMatchObject([{ state: 'pending', attempts: 5 }]);
  });

  it('names refusals by one rule', () => {
    expect([400, 401, 403, 404, 409, 413, 422].every(isRefusal)).toBe(true);
    expect([200, 202, 408, 429, 500, 502, 503, 504].some(isRefusal)).toBe(false);
  });

  it('never lets two relays send one event at the same time', async () => {
    const topic = await write(Array.from({ length: 5 }, (_, i) => `e${i}`).map((b) => b));
    // Five streams of one event each, so both relays find work at once.
    await pool.query(`UPDATE events SET topic = topic || ':' || body WHERE topic = $1`, [topic]);
    const sent: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const relays = [0, 1].map(() =>
      createOutboxRelay<Event>({
        pool,
        table: 'events',
        streamColumn: 'topic',
        receiver: 'test',
        log: silent,
        send: async (event) => {
          if (!event.topic.startsWith(`${topic}:`)) return { status: 204 };
          sent.push(event.body);
          await held;
          return { status: 202 };
        },
      }),
    );
    const passes = relays.map((r) => r.runOnce());
    await eventually(async () => sent.length === 5, 'every event sent once');
    release();
    await Promise.all(passes);
    expect(sent.sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('counts outcomes from zero and shows its backlog and the age of its oldest event', async () => {
    const registry = new Registry();
    await pool.query(`UPDATE events SET state = 'delivered' WHERE state = 'pending'`);
    const topic = await write(['x', 'y']);
    await pool.query(`UPDATE events SET created_at = now() - interval '90 seconds' WHERE topic = $1`, [
      topic,
    ]);
    const { relay } = relayFor(topic, () => 503, registry);
    const metric = async (name: string) =>
      (await registry.getSingleMetric(name)!.get()).values.map((v) => ({ ...v.labels, value: v.value }));

    expect(await metric('minishop_outbox_deliveries_total')).toEqual([
      { receiver: 'test', outcome: 'delivered', value: 0 },
      { receiver: 'test', outcome: 'retried', value: 0 },
      { receiver: 'test', outcome: 'set_aside', value: 0 },
    ]);
    expect(await metric('minishop_outbox_backlog_events')).toEqual([{ receiver: 'test', value: 2 }]);
    const [age] = await metric('minishop_outbox_oldest_event_age_seconds');
    expect(age!.value).toBeGreaterThanOrEqual(90);
    expect(age!.value).toBeLessThan(600);

    await relay.runOnce();
    expect(await metric('minishop_outbox_deliveries_total')).toContainEqual({
      receiver: 'test',
      outcome: 'retried',
      value: 1,
    });
  });

  it('delivers on its loop when woken and stops on close', async () => {
    const topic = await write(['first']);
    const { relay, sent } = relayFor(topic, () => 202);
    relay.start();
    await eventually(async () => sent.length === 1, 'the first pass');
    await write(['second', 'third'], topic);
    relay.wake();
    // The pass that delivers 'second' sees 'third' waiting behind it and runs again at once.
    await eventually(async () => sent.length === 3, 'the woken passes');
    await relay.close();
    await write(['after close'], topic);
    relay.wake();
    await relay.runOnce(); // the loop is gone; a pass run by hand still works
    expect(sent).toEqual(['first', 'second', 'third', 'after close']);
  });
});

describe('outbox relay to a receiver that takes batches', () => {
  /** A relay that sends this test's events (of the given topics) in batches to a scripted receiver. */
  function batchRelayFor(
    topics: string[],
    answer: (events: Event[]) => { status: number; statuses?: number[] },
  ) {
    const batches: string[][] = [];
    const singles: string[] = [];
    const ours = (event: Event) => topics.includes(event.topic);
    const relay = createOutboxRelay<Event>({
      ...testRelay(),
      batchSize: 50,
      send: async (event) => {
        if (!ours(event)) return { status: 204 };
        singles.push(event.body);
        return { status: event.body.startsWith('bad') ? 422 : 202 };
      },
      sendBatch: async (events) => {
        const mine = events.filter(ours);
        batches.push(mine.map((e) => e.body));
        const answered = answer(mine);
        if (!answered.statuses) return answered;
        // Another test's events are answered as delivered and not counted.
        return {
          status: 200,
          statuses: events.map((e) => (ours(e) ? answered.statuses![mine.indexOf(e)]! : 204)),
        };
      },
    });
    return { relay, batches, singles };
  }

  it('sends the heads of several streams in one call and records each answer by the same rules', async () => {
    await pool.query(`UPDATE events SET state = 'delivered' WHERE state = 'pending'`);
    const ok = await write(['ok-1', 'ok-2']);
    const busy = await write(['busy']);
    const bad = await write(['bad']);
    const byBody: Record<string, number> = { 'ok-1': 202, 'ok-2': 202, busy: 503, bad: 422 };
    const { relay, batches, singles } = batchRelayFor([ok, busy, bad], (events) => ({
      status: 200,
      statuses: events.map((e) => byBody[e.body]!),
    }));
    for (let i = 0; i < 3; i++) {
      await pool.query(`UPDATE events SET next_attempt_at = now() WHERE state = 'pending'`);
      await relay.runOnce();
    }
    // One stream's events still go one pass after the other; each pass is one call.
    expect(batches.map((b) => b.sort())).toEqual([
      ['bad', 'busy', 'ok-1'],
      ['bad', 'busy', 'ok-2'],
      ['bad', 'busy'],
    ]);
    expect(singles).toEqual([]);
    expect(await rowsOf(ok)).toEqual([
      { body: 'ok-1', state: 'delivered', attempts: 1, last_error: null },
      { body: 'ok-2', state: 'delivered', attempts: 1, last_error: null },
    ]);
    expect(await rowsOf(busy)).toEqual([
      { body: 'busy', state: 'pending', attempts: 3, last_error: 'test answered 503' },
    ]);
    expect(await rowsOf(bad)).toEqual([
      { body: 'bad', state: 'rejected', attempts: 3, last_error: 'test answered 422' },
    ]);
  });

  it('sends each event on its own when the receiver refuses the whole call, and none when it is down', async () => {
    await pool.query(`UPDATE events SET state = 'delivered' WHERE state = 'pending'`);
    const topics = [await write(['good']), await write(['bad-one'])];
    let down = true;
    const { relay, batches, singles } = batchRelayFor(topics, () => {
      if (down) throw new Error('connect ECONNREFUSED');
      return { status: 422 };
    });
    await relay.runOnce();
    expect(batches).toHaveLength(1);
    expect(singles).toEqual([]);
    expect((await rowsOf(topics[0]!))[0]).toMatchObject({
      state: 'pending',
      last_error: 'connect ECONNREFUSED',
    });

    down = false;
    await pool.query(`UPDATE events SET next_attempt_at = now() WHERE state = 'pending'`);
    await relay.runOnce();
    expect(batches).toHaveLength(2);
    expect(singles.sort()).toEqual(['bad-one', 'good']);
    expect(await rowsOf(topics[0]!)).toMatchObject([{ state: 'delivered', attempts: 2 }]);
    expect(await rowsOf(topics[1]!)).toMatchObject([
      { state: 'pending', attempts: 2, last_error: 'test answered 422' },
    ]);
  });
});

describe('one relay per table', () => {
  it('refuses table or column names that are not plain identifiers', () => {
    const make = (table: string, streamColumn: string): OutboxRelay =>
      createOutboxRelay({
        pool,
        table,
        streamColumn,
        receiver: 'x',
        log: silent,
        send: async () => ({ status: 200 }),
      });
    expect(() => make('events; DROP TABLE events', 'topic')).toThrow('not a plain SQL identifier');
    expect(() => make('events', 'topic)')).toThrow('not a plain SQL identifier');
  });
});
