// Prometheus metrics for one service: default process metrics plus a latency histogram per
// route, in a registry of its own so that several apps can live in one test process. The
// management server (management.ts) serves the registry; the public port does not. Also: counters
// whose known series start at zero, and gauges of the PostgreSQL pool and the Redis client.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pool } from './db.ts';
import type { Redis } from './redis.ts';

/**
 * prom-client's counts of active handles, requests and resources are gauges named `_total`, the
 * suffix of counters; the same counts by type (`minishop_nodejs_active_handles{type}`, …) remain.
 */
const MISNAMED_DEFAULTS = [
  'minishop_nodejs_active_handles_total',
  'minishop_nodejs_active_requests_total',
  'minishop_nodejs_active_resources_total',
];

export function installMetrics(app: FastifyInstance, service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'minishop_' });
  for (const name of MISNAMED_DEFAULTS) registry.removeSingleMetric(name);
  const duration = new Histogram({
    name: 'minishop_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
    done();
  });
  return registry;
}

/**
 * A counter whose series for every combination of the given label values exist from the start,
 * at zero, so that a rate or an alert sees "none yet" rather than "no data".
 */
export function counterFromZero<L extends string>(
  registry: Registry,
  options: { name: string; help: string; labels?: Record<L, readonly string[]> },
): Counter<L> {
  const labels = options.labels ?? ({} as Record<L, readonly string[]>);
  const names = Object.keys(labels) as L[];
  const counter = new Counter<L>({
    name: options.name,
    help: options.help,
    labelNames: names,
    registers: [registry],
  });
  let combinations: Array<Partial<Record<L, string>>> = [{}];
  for (const name of names) {
    combinations = combinations.flatMap((partial) =>
      labels[name].map((value) => ({ ...partial, [name]: value })),
    );
  }
  for (const combination of combinations) counter.inc(combination, 0);
  return counter;
}

/** Connections of the service's PostgreSQL pool, read when scraped. */
export function poolMetrics(registry: Registry, pool: Pool): void {
  new Gauge({
    name: 'minishop_db_pool_connections',
    help: 'Connections of the PostgreSQL pool: in_use by a query or transaction, or idle',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
    },
  });
  new Gauge({
    name: 'minishop_db_pool_waiting',
    help: 'Queries and transactions waiting for a connection of the PostgreSQL pool',
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
}

/** Whether the Redis client is connected (read when scraped), and its commands that failed. */
export function redisMetrics(registry: Registry, redis: Redis): void {
  new Gauge({
    name: 'minishop_redis_connected',
    help: '1 while the Redis client is connected and ready, else 0',
    registers: [registry],
    collect() {
      this.set(redis.status === 'ready' ? 1 : 0);
    },
  });
  const failed = counterFromZero(registry, {
    name: 'minishop_redis_commands_failed_total',
    help: 'Redis commands that failed: an error reply, a timeout or no connection',
  });
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command, stream) => {
    command.promise.catch(() => failed.inc());
    return send(command, stream);
  }) as typeof redis.sendCommand;
}
