// How much work the databases did: transactions and rows from pg_stat_database, statements from
// pg_stat_statements when the server loads it (the benchmark's embedded PostgreSQL does), per
// database, so a phase's work can be divided by the checkouts it made.
import { createPool } from '@minishop/kit/db';
import type { PgWork } from './report-types.ts';
import { round } from './proc.ts';

/** Settings for the benchmark's PostgreSQL: count every statement, utility ones (BEGIN, COMMIT) too. */
export const PG_STATEMENT_SETTINGS = [
  'shared_preload_libraries=pg_stat_statements',
  'pg_stat_statements.track=all',
  'pg_stat_statements.track_utility=on',
];

/** Creates the pg_stat_statements view if the server has the library loaded; false when it has not. */
export async function enableStatementCounts(adminUrl: string): Promise<boolean> {
  const pool = createPool(adminUrl, { max: 1, applicationName: 'bench-stats' });
  try {
    const { rows } = await pool.query<{ loaded: boolean }>(
      `select 'pg_stat_statements' = any(string_to_array(current_setting('shared_preload_libraries'), ', ')) as loaded`,
    );
    if (!rows[0]?.loaded) return false;
    await pool.query('create extension if not exists pg_stat_statements');
    return true;
  } finally {
    await pool.end();
  }
}

/** Cumulative activity of each database (pg_stat_database is updated within about a second). */
export async function pgActivity(
  adminUrl: string,
  databases: string[],
  withStatements: boolean,
): Promise<Map<string, PgWork>> {
  const pool = createPool(adminUrl, { max: 1, applicationName: 'bench-stats' });
  try {
    const { rows } = await pool.query<{ datname: string; xacts: string; written: string; read: string }>(
      `select datname, xact_commit + xact_rollback as xacts,
              tup_inserted + tup_updated + tup_deleted as written, tup_returned + tup_fetched as read
         from pg_stat_database where datname = any($1::text[])`,
      [databases],
    );
    const statements = new Map<string, number>();
    if (withStatements) {
      const { rows: counted } = await pool.query<{ datname: string; calls: string }>(
        `select d.datname, sum(s.calls) as calls
           from pg_stat_statements s join pg_database d on d.oid = s.dbid
          where d.datname = any($1::text[]) group by d.datname`,
        [databases],
      );
      for (const c of counted) statements.set(c.datname, Number(c.calls));
    }
    return new Map(
      rows.map((r) => [
        r.datname,
        {
          transactions: Number(r.xacts),
          statements: withStatements ? (statements.get(r.datname) ?? 0) : null,
          rows_written: Number(r.written),
          rows_read: Number(r.read),
        },
      ]),
    );
  } finally {
    await pool.end();
  }
}

/** The work between two readings, divided by the checkouts made meanwhile. */
export function perCheckout(
  before: Map<string, PgWork>,
  after: Map<string, PgWork>,
  checkouts: number,
): Record<string, PgWork> {
  const out: Record<string, PgWork> = {};
  const per = (x: number) => round(x / Math.max(1, checkouts), 1);
  for (const [db, a] of after) {
    const b = before.get(db) ?? { transactions: 0, statements: 0, rows_written: 0, rows_read: 0 };
    out[db] = {
      transactions: per(a.transactions - b.transactions),
      statements: a.statements === null ? null : per(a.statements - (b.statements ?? 0)),
      rows_written: per(a.rows_written - b.rows_written),
      rows_read: per(a.rows_read - b.rows_read),
    };
  }
  return out;
}
