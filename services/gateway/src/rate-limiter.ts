// Per-client fixed-window rate limit shared by every gateway replica through Redis. Hits are
// counted in process first and pushed to Redis in batches (INCRBY + PEXPIREAT, one round trip),
// so most requests never wait for Redis; each replica can overshoot the shared limit by at most
// one batch. When Redis is unreachable the limit fails open to per-replica counting.
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from '@minishop/kit/redis';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one request from `client`; waits for Redis only when this hit completes a batch. */
  hit(client: string): RateDecision | Promise<RateDecision>;
  /** Pushes pending counts and stops the background flush. */
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  redis: Redis;
  limit: number;
  log: FastifyBaseLogger;
  windowMs?: number;
  keyPrefix?: string;
  /** Hits counted locally before they are pushed to Redis; defaults to 1% of the limit. */
  batchSize?: number;
  flushIntervalMs?: number;
  now?: () => number;
}

interface Counter {
  window: number;
  /** The shared count Redis last reported for this client and window. */
  shared: number;
  /** Local hits not yet reflected in `shared`, including those being sent. */
  unsynced: number;
  sending: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { redis, limit, log } = options;
  const windowMs = options.windowMs ?? 60_000;
  const keyPrefix = options.keyPrefix ?? 'minishop:gateway:ratelimit:';
  const batchSize = Math.max(1, options.batchSize ?? Math.floor(limit / 100));
  const now = options.now ?? Date.now;
  const counters = new Map<string, Counter>();
  let lastWarning = 0;

  function decision(allowed: boolean, window: number): RateDecision {
    return { allowed, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * windowMs - now()) / 1000)) };
  }

  function warn(err: unknown): void {
    if (now() - lastWarning < 30_000) return;
    lastWarning = now();
    log.warn({ err }, 'rate limit store unreachable; counting per replica only');
  }

  async function push(client: string, counter: Counter): Promise<void> {
    const amount = counter.unsynced - counter.sending;
    if (amount <= 0) return;
    const window = counter.window;
    if (redis.status !== 'ready') return warn(new Error(`redis is ${redis.status}`));
    counter.sending += amount;
    const key = `${keyPrefix}${client}:${window}`;
    try {
      const results = await redis
        .pipeline()
        .incrby(key, amount)
        .pexpireat(key, (window + 1) * windowMs + 5_000)
        .exec();
      const shared = Number(results?.[0]?.[1]);
      if (counter.window === window && Number.isFinite(shared)) {
        counter.shared = shared;
        counter.unsynced -= amount;
      }
    } catch (err) {
      warn(err);
    } finally {
      if (counter.window === window) counter.sending -= amount;
    }
  }

  const flushTimer = setInterval(() => {
    const current = Math.floor(now() / windowMs);
    for (const [client, counter] of counters) {
      if (counter.window < current) counters.delete(client);
      else void push(client, counter);
    }
  }, options.flushIntervalMs ?? 250);
  flushTimer.unref();

  function hit(client: string): RateDecision | Promise<RateDecision> {
    const window = Math.floor(now() / windowMs);
    let counter = counters.get(client);
    if (!counter || counter.window !== window) {
      counter = { window, shared: 0, unsynced: 0, sending: 0 };
      counters.set(client, counter);
    }
    if (counter.shared + counter.unsynced >= limit) return decision(false, window);
    counter.unsynced += 1;
    if (counter.unsynced - counter.sending < batchSize) return decision(true, window);
    const pushed = counter;
    // This hit completes a batch: learn the shared count before letting it through.
    return push(client, pushed).then(() => decision(pushed.shared + pushed.unsynced <= limit, window));
  }

  async function close(): Promise<void> {
    clearInterval(flushTimer);
    await Promise.all([...counters].map(([client, counter]) => push(client, counter)));
    counters.clear();
  }

  return { hit, close };
}
