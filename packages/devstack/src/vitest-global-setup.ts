// Vitest global setup: provisions PostgreSQL and Redis once per test run (or uses DATABASE_URL /
// REDIS_URL) and hands their URLs to test files through inject('pgAdminUrl') / inject('redisUrl').
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.ts';
import type { PostgresServer } from './postgres.ts';
import { commandLineOf, isAlive, stopProcess } from './process-control.ts';
import { startRedis } from './redis.ts';
import type { RedisServer } from './redis.ts';

declare module 'vitest' {
  interface ProvidedContext {
    pgAdminUrl: string;
    redisUrl: string;
    /** Tag in the names of the databases this run creates, so the run can drop them at the end. */
    devstackRunId: string;
  }
}

const RUN_DIR_PREFIX = 'minishop-test-';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await removeAbandonedRuns();
  const runId = randomBytes(3).toString('hex');
  const runDir = await fs.mkdtemp(path.join(os.tmpdir(), RUN_DIR_PREFIX));
  // Lets a later run recognise this directory as abandoned if we are killed.
  await fs.writeFile(path.join(runDir, 'owner.pid'), String(process.pid));
  // As root, PostgreSQL runs as another user that must be able to enter the directory.
  await fs.chmod(runDir, 0o755);

  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const teardown = async (): Promise<void> => {
    if (postgres && !postgres.embedded) await dropRunDatabases(postgres.adminUrl, runId);
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
    await fs.rm(runDir, { recursive: true, force: true });
  };
  // Started side by side; whichever succeeded is stopped again if the other failed.
  const [pgResult, redisResult] = await Promise.allSettled([
    startPostgres({ dataDir: path.join(runDir, 'postgres'), persistent: false }),
    startRedis({ dataDir: path.join(runDir, 'redis'), persistent: false }),
  ]);
  if (pgResult.status === 'fulfilled') postgres = pgResult.value;
  if (redisResult.status === 'fulfilled') redis = redisResult.value;
  if (pgResult.status === 'rejected' || redisResult.status === 'rejected') {
    await teardown();
    throw pgResult.status === 'rejected' ? pgResult.reason : (redisResult as PromiseRejectedResult).reason;
  }
  postgres = pgResult.value;
  redis = redisResult.value;
  project.provide('pgAdminUrl', postgres.adminUrl);
  project.provide('redisUrl', redis.url);
  project.provide('devstackRunId', runId);
  return teardown;
}

/** On a shared server (DATABASE_URL) the databases of this run are dropped at the end. */
async function dropRunDatabases(adminUrl: string, runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`%\\_t${runId}\\_%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } catch {
    // Cleaning up is a courtesy; a failure must not fail the run.
  } finally {
    await client.end().catch(() => {});
  }
}

/** Removes data directories of earlier runs that were killed before their teardown ran. */
async function removeAbandonedRuns(): Promise<void> {
  const tmp = os.tmpdir();
  const entries = await fs.readdir(tmp).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith(RUN_DIR_PREFIX))) {
    const dir = path.join(tmp, entry);
    const owner = Number.parseInt(await fs.readFile(path.join(dir, 'owner.pid'), 'utf8').catch(() => ''), 10);
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    for (const [file, pattern] of [
      [path.join(dir, 'postgres', 'pgdata', 'postmaster.pid'), /postgres/],
      [path.join(dir, 'redis', 'redis.pid'), /redis-server/],
    ] as const) {
      const pid = Number.parseInt((await fs.readFile(file, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
      if (Number.isInteger(pid) && pid > 0 && pattern.test((await commandLineOf(pid)) ?? '')) {
        await stopProcess(pid, [
          { signal: 'SIGQUIT', waitMs: 5000 },
          { signal: 'SIGKILL', waitMs: 2000 },
        ]);
      }
    }
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}
