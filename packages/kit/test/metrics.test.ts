// The kit's metrics: counters whose known series start at zero, the PostgreSQL pool and the Redis
// client as seen from /metrics, and no gauge that pretends to be a counter.
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, testDatabaseUrl, testRedisUrl } from '@minishop/devstack/testing';
import { createPool } from '../src/db.ts';
import { createService } from '../src/http.ts';
import { counterFromZero, poolMetrics, redisMetrics } from '../src/metrics.ts';
import { createRedis } from '../src/redis.ts';

const closing: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closing.reverse()) await close();
});

async function service() {
  const app = await createService({ name: 'metrics-test', logLevel: 'silent' });
  closing.push(() => app.close());
  const scrape = async () => (await app.management.inject({ url: '/metrics' })).body;
  /** The value of one series in the scrape, or undefined when the series is absent. */
  const value = async (series: string) => {
    const line = (await scrape()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.split(' ')[1]);
  };
  return { app, scrape, value };
}

describe('metrics', () => {
  it('start counters with known label values at zero, every combination', async () => {
    const { app, value } = await service();
    const counter = counterFromZero(app.metricsRegistry, {
      name: 'minishop_test_things_total',
      help: 'things',
      labels: { kind: ['a', 'b'], outcome: ['ok', 'failed'] },
    });
    for (const kind of ['a', 'b']) {
      for (const outcome of ['ok', 'failed']) {
        expect(
          await value(
            `minishop_test_things_total{kind="${kind}",outcome="${outcome}",service="metrics-test"}`,
          ),
        ).toBe(0);
      }
    }
    counter.inc({ kind: 'b', outcome: 'failed' });
    expect(await value('minishop_test_things_total{kind="b",outcome="failed",service="metrics-test"}')).toBe(
      1,
    );
  });

  it('name no gauge with the `_total` suffix of counters', async () => {
    const { app } = await service();
    const metrics = await app.metricsRegistry.getMetricsAsJSON();
    const misnamed = metrics
      .filter((m) => m.name.endsWith('_total') && String(m.type) !== 'counter')
      .map((m) => m.name);
    expect(misnamed).toEqual([]);
    expect(metrics.map((m) => m.name)).toContain('minishop_nodejs_active_handles');
  });

  it('show the PostgreSQL pool: connections in use, idle, and callers waiting for one', async () => {
    const { app, value } = await service();
    const pool = createPool(await testDatabaseUrl('metrics'), { max: 1 });
    closing.push(() => pool.end());
    poolMetrics(app.metricsRegistry, pool);
    const series = (state: string) => `minishop_db_pool_connections{state="${state}",service="metrics-test"}`;
    await pool.query('SELECT 1');
    expect(await value(series('idle'))).toBe(1);
    expect(await value(series('in_use'))).toBe(0);
    const held = await pool.connect();
    const waiting = pool.query('SELECT 1');
    expect(await value(series('in_use'))).toBe(1);
    expect(await value('minishop_db_pool_waiting{service="metrics-test"}')).toBe(1);
    held.release();
    await waiting;
    expect(await value('minishop_db_pool_waiting{service="metrics-test"}')).toBe(0);
  });

  it('show whether Redis is connected and count the commands that failed', async () => {
    const { app, value } = await service();
    const redis = createRedis(testRedisUrl());
    redisMetrics(app.metricsRegistry, redis);
    await redis.ping();
    expect(await value('minishop_redis_connected{service="metrics-test"}')).toBe(1);
    expect(await value('minishop_redis_commands_failed_total{service="metrics-test"}')).toBe(0);
    await expect(redis.call('NO-SUCH-COMMAND')).rejects.toThrow();
    await expect(redis.pipeline().incr('metrics-test:not-a-number-key').exec()).resolves.toBeTruthy();
    expect(await value('minishop_redis_commands_failed_total{service="metrics-test"}')).toBe(1);
    redis.disconnect();
    await eventually(
      async () => (await value('minishop_redis_connected{service="metrics-test"}')) === 0,
      'disconnected',
    );
  });
});
