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
