// PostgreSQL access for services: a pool with connection and statement timeouts, plain SQL
// migrations applied in order under an advisory lock, and a transaction helper.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.Pool, 'query'>;

// Return BIGINT/NUMERIC as strings (never lossy floats) and timestamps as Date.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export interface PoolOptions {
  max?: number;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  applicationName?: string;
}

export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    // A connection a peak needed stays for the next one: with 30 s, the connections beyond the
    // usual concurrency closed and reopened (a SCRAM exchange, and a new backend) every half minute
    // under steady load. The pool's max still bounds how many there are.
    idleTimeoutMillis: 300_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    query_timeout: (options.statementTimeoutMs ?? 10_000) + 2_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: options.applicationName ?? 'minishop',
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

const statementNames = new Map<string, string>();

/**
 * A hot statement as a named prepared statement: each connection parses it once, and after a few
 * runs PostgreSQL reuses a generic plan instead of planning every call (docs/benchmarks.md measured
 * parsing and planning at about a third of PostgreSQL's CPU per checkout). The name is derived from
 * the text, so texts never share one. Only for texts from a fixed set (each text stays prepared on
 * every connection), and for statements whose result columns are listed: a `*` that a migration
 * widens would make the prepared statement fail ("cached plan must not change result type").
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `minishop_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

const MIGRATION_LOCK = 727_431_001;

/** Applies every not-yet-applied `NNN_name.sql` in dir, each in its own transaction. */
export async function migrate(pool: Pool, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const file of files) {
      const sql = await readFile(path.join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(file);
      if (previous !== undefined) {
        if (previous !== checksum) throw new Error(`migration ${file} was changed after it was applied`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
          file,
          checksum,
        ]);
        await client.query('COMMIT');
        applied.push(file);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
  return applied;
}

/** True when err is a PostgreSQL unique violation (optionally of the named constraint). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/**
 * The body of a service's `migrate.ts` (the deployment's migration job): applies the
 * migrations in dir to DATABASE_URL, prints what it did, and sets a failing exit code on error.
 */
export async function migrateCommand(service: string, dir: string): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error(`${service}: DATABASE_URL is required but not set`);
    process.exitCode = 1;
    return;
  }
  const pool = createPool(url, {
    max: 1,
    statementTimeoutMs: 120_000,
    applicationName: `${service}-migrate`,
  });
  try {
    const applied = await migrate(pool, dir);
    console.log(`${service}: ${applied.length ? `applied ${applied.join(', ')}` : 'database is up to date'}`);
  } catch (err) {
    console.error(`${service}: ${(err as Error).message}`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
