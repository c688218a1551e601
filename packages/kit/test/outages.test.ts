// What a service answers while PostgreSQL or Redis is out of reach, what its readiness says, and
// what it logs: 503 problems (never a 500), `unavailable` checks without the driver's error text,
// and one log line when an outage starts and one when it ends.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@minishop/devstack/free-port';
import { eventually, portOf, testDatabaseUrl, testRedisUrl } from '@minishop/devstack/testing';
import { createPool, type Pool } from '../src/db.ts';
import { createService, type App } from '../src/http.ts';
import { createRedis, type Redis } from '../src/redis.ts';

const closing: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close().catch(() => {});
});

async function serviceWith(pool: Pool | null, redis: Redis | null): Promise<App> {
  // The stores given become the readiness checks `db` and `redis`.
  const app = await createService(
    { name: 'outage-test', logLevel: 'silent' },
    { pool: pool ?? undefined, redis: redis ?? undefined },
  );
  app.get('/count', async () => ({ rows: (await pool!.query('SELECT 1 AS one')).rowCount }));
  app.get('/cached', async () => ({ value: await redis!.get('outage-test:key') }));
  app.get('/dropped', async () => pool!.query('SELECT pg_terminate_backend(pg_backend_pid())'));
  closing.push(() => app.close());
  return app;
}

function expectUnavailable(res: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|terminat/);
}

/** A TCP relay to a real server that can be cut (every connection dropped, nothing accepted) and restored. */
async function relayTo(port: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayPort = portOf(server);
  return {
    port: relayPort,
    cut: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: () => new Promise<void>((resolve) => server.listen(relayPort, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('PostgreSQL out of reach', () => {
  it('answers 503 problems and reports the check as unavailable, never the driver error', async () => {
    const pool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nothing`, {
      connectionTimeoutMs: 500,
    });
    closing.push(() => pool.end());
    const app = await serviceWith(pool, null);
    expectUnavailable(await app.inject({ url: '/count' }));
    const ready = await app.management.inject({ url: '/readyz' });
    expectUnavailable(ready);
    expect(ready.json().checks).toEqual({ db: 'unavailable' });
  });

  it('answers 503 when the server drops the connection in the middle of a request', async () => {
    const pool = createPool(await testDatabaseUrl('outage'), { max: 2 });
    closing.push(() => pool.end());
    const app = await serviceWith(pool, null);
    expectUnavailable(await app.inject({ url: '/dropped' }));
    expect((await app.inject({ url: '/count' })).json()).toEqual({ rows: 1 });
  });
});

describe('Redis out of reach', () => {
  it('logs the outage once and its end once, answers 503 meanwhile, and recovers', async () => {
    const relay = await relayTo(Number(new URL(testRedisUrl()).port || 6379));
    closing.push(relay.close);
    const lines: Array<{ level: string; msg: string }> = [];
    const log = {
      warn: (_fields: unknown, msg: string) => lines.push({ level: 'warn', msg }),
      info: (msg: string) => lines.push({ level: 'info', msg }),
    };
    const redis = createRedis(`redis://127.0.0.1:${relay.port}`, {
      log: log as never,
      commandTimeoutMs: 500,
    });
    closing.push(async () => redis.disconnect());
    let errors = 0;
    redis.on('error', () => errors++);
    const app = await serviceWith(null, redis);
    await eventually(async () => (await redis.ping()) === 'PONG', 'redis to answer');

    await relay.cut();
    expectUnavailable(await app.inject({ url: '/cached' }));
    const ready = await app.management.inject({ url: '/readyz' });
    expectUnavailable(ready);
    expect(ready.json().checks).toEqual({ redis: 'unavailable' });
    // Several reconnection attempts fail; the outage is still one line.
    await eventually(async () => errors >= 3, 'several failed reconnection attempts');
    expect(lines).toEqual([{ level: 'warn', msg: 'Redis is unreachable' }]);

    await relay.restore();
    await eventually(async () => (await app.inject({ url: '/cached' })).statusCode === 200, 'recovery');
    expect(lines).toEqual([
      { level: 'warn', msg: 'Redis is unreachable' },
      { level: 'info', msg: 'Redis is reachable again' },
    ]);
  });
});

describe('a service that is stopping', () => {
  it('fails readiness while it drains the requests in flight', async () => {
    const app = await createService({ name: 'drain-test', logLevel: 'silent' });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    app.get('/slow', async () => {
      started();
      await released;
      return { done: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await app.management.listen({ host: '127.0.0.1', port: 0 });
    const management = `http://127.0.0.1:${portOf(app.management.server)}`;
    expect((await fetch(`${management}/readyz`)).status).toBe(200);

    const slow = fetch(`http://127.0.0.1:${portOf(app.server)}/slow`);
    await inFlight;
    const closed = app.close();
    await eventually(async () => (await fetch(`${management}/readyz`)).status === 503, 'readiness to fail');
    release();
    expect((await slow).status).toBe(200);
    await closed;
    await expect(fetch(`${management}/healthz`)).rejects.toThrow();
  });
});
