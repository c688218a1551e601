import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '@minishop/devstack/testing';
import { createPool, migrate, prepared, withTransaction, type Pool } from '../src/db.ts';

const fixtures = path.join(import.meta.dirname, 'fixtures/migrations');
const pools: Pool[] = [];
async function freshPool() {
  const pool = createPool(await testDatabaseUrl('kit'), { max: 4 });
  pools.push(pool);
  return pool;
}
afterAll(() => Promise.all(pools.map((p) => p.end())));

describe('migrations', () => {
  it('applies each migration once even when replicas start together', async () => {
    const pool = await freshPool();
    const results = await Promise.all([
      migrate(pool, fixtures),
      migrate(pool, fixtures),
      migrate(pool, fixtures),
    ]);
    expect(results.flat().sort()).toEqual(['001_things.sql', '002_more.sql']);
    const { rows } = await pool.query('SELECT name, size FROM things');
    expect(rows).toEqual([{ name: 'seed', size: 1 }]);
    expect(await migrate(pool, fixtures)).toEqual([]);
  });

  it('refuses a migration edited after it was applied and leaves a failed one unapplied', async () => {
    const pool = await freshPool();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kit-migrations-'));
    await cp(fixtures, dir, { recursive: true });
    await migrate(pool, dir);
    await writeFile(path.join(dir, '001_things.sql'), 'CREATE TABLE other (id int);');
    await expect(migrate(pool, dir)).rejects.toThrow(/changed after it was applied/);

    const pool2 = await freshPool();
    const broken = await mkdtemp(path.join(os.tmpdir(), 'kit-migrations-'));
    await writeFile(path.join(broken, '001_ok.sql'), 'CREATE TABLE ok (id int);');
    await writeFile(path.join(broken, '002_bad.sql'), 'CREATE TABLE half (id int); SELECT nonsense_fn();');
    await expect(migrate(pool2, broken)).rejects.toThrow(/002_bad.sql failed/);
    const { rows } = await pool2.query(`SELECT to_regclass('half') AS half, to_regclass('ok') AS ok`);
    expect(rows[0]).toEqual({ half: null, ok: 'ok' });
  });
});

describe('withTransaction', () => {
  it('rolls back everything when the work fails', async () => {
    const pool = await freshPool();
    await migrate(pool, fixtures);
    await expect(
      withTransaction(pool, async (tx) => {
        await tx.query(`INSERT INTO things (name) VALUES ('lost')`);
        throw new Error('fail');
      }),
    ).rejects.toThrow('fail');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM things WHERE name = 'lost'`);
    expect(rows[0].n).toBe(0);
  });

  it('cancels statements that run past the statement timeout', async () => {
    const pool = createPool(await testDatabaseUrl('kit'), { statementTimeoutMs: 100 });
    pools.push(pool);
    await expect(pool.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
  });
});

describe('prepared', () => {
  it('parses each text once per connection and answers every call with its own values', async () => {
    const pool = createPool(await testDatabaseUrl('kit'), { max: 1 });
    pools.push(pool);
    const plusOne = (n: number) => prepared('SELECT $1::int + 1 AS n', [n]);
    const answers = [];
    for (const n of [1, 41, 99]) answers.push((await pool.query(plusOne(n))).rows[0].n);
    answers.push((await pool.query(prepared('SELECT $1::int * 2 AS n', [21]))).rows[0].n);
    expect(answers).toEqual([2, 42, 100, 42]);
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'minishop\\_%'`,
    );
    expect(rows[0].n).toBe(2);
  });
});
