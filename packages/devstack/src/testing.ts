// Helpers for test files: each call gives a fresh PostgreSQL database of the run's server, so test
// files never share tables; the Redis URL is the run's server (tests keep their keys unique).
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { ensureDatabase } from './postgres.ts';

/**
 * Creates a new, empty database named `${prefix}_t<run>_<random>` and returns its URL.
 * The prefix is lowercased and cut to keep the name within PostgreSQL's 63 characters.
 */
export async function testDatabaseUrl(prefix: string): Promise<string> {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^[^a-z_]+/, '')
      .slice(0, 32) || 'test';
  const name = `${clean}_t${inject('devstackRunId')}_${randomBytes(5).toString('hex')}`;
  return ensureDatabase(inject('pgAdminUrl'), name);
}

/** The URL of the run's Redis server. */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/**
 * Polls check until it returns a value that is not undefined, null or false, and returns it.
 * For eventual consistency (relays, workers), never for timing: a throw counts as "not yet".
 */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  what = 'a condition',
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The port a listening server (node:http, or Fastify's `.server`) was given. */
export function portOf(server: { address(): string | { port: number } | null }): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening');
  return address.port;
}
