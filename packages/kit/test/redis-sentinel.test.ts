// A Redis client found through Sentinel, as production runs it: a real redis-server in Sentinel
// mode watches the test Redis, and the kit's client asks it for the primary, keeping the user,
// password and database of REDIS_URL. A second Sentinel admits only an ACL user of its own, as
// the Valkey chart's Sentinels do, so the client must sign in to it by name.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@minishop/devstack/free-port';
import { eventually, testRedisUrl } from '@minishop/devstack/testing';
import { createRedis, type RedisOptions } from '../src/redis.ts';

const SENTINEL_USER = { name: 'sentinel', password: 'sentinel-secret' };

let dir: string;
const sentinels: ChildProcess[] = [];
let openPort: number;
let aclPort: number;

/** Starts a Sentinel that watches the test Redis as `minishop-test`, with extra config lines. */
async function startSentinel(name: string, extra: string[]): Promise<number> {
  const port = await freePort();
  const primary = new URL(testRedisUrl());
  const config = path.join(dir, `${name}.conf`);
  await writeFile(
    config,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor minishop-test ${primary.hostname} ${primary.port || 6379} 1`,
      ...extra,
    ].join('\n'),
  );
  sentinels.push(spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' }));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'minishop-sentinel-'));
  openPort = await startSentinel('open', []);
  aclPort = await startSentinel('acl', [
    'user default off',
    `user ${SENTINEL_USER.name} on >${SENTINEL_USER.password} ~* &* +@all`,
  ]);
});
afterAll(async () => {
  for (const sentinel of sentinels) {
    if (sentinel.exitCode !== null) continue;
    const exited = new Promise((resolve) => sentinel.once('exit', resolve));
    sentinel.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

/** Writes a key through a client found by `sentinel` and reads it straight from the test Redis. */
async function expectToReachPrimary(sentinel: NonNullable<RedisOptions['sentinel']>) {
  const viaSentinel = createRedis('redis://ignored-host:1/3', { sentinel });
  const direct = createRedis(`${testRedisUrl()}/3`);
  try {
    const key = `sentinel-test:${Date.now()}:${sentinel.sentinels}`;
    await eventually(async () => (await viaSentinel.ping()) === 'PONG', 'the client to find the primary');
    await viaSentinel.set(key, 'through sentinel', 'EX', 60);
    expect(await direct.get(key)).toBe('through sentinel');
  } finally {
    viaSentinel.disconnect();
    direct.disconnect();
  }
}

describe('a Redis client through Sentinel', () => {
  it('reaches the primary the Sentinel names, in the database REDIS_URL names', async () => {
    await expectToReachPrimary({ sentinels: `127.0.0.1:${openPort}`, name: 'minishop-test' });
  });

  it('signs in to Sentinels that admit only their own ACL user, by its name', async () => {
    // The password alone signs in as the disabled default user, which these Sentinels refuse.
    const anonymous = new Redis({ port: aclPort, host: '127.0.0.1', enableReadyCheck: false });
    try {
      await expect(anonymous.auth(SENTINEL_USER.password)).rejects.toThrow(/WRONGPASS/);
      expect(await anonymous.auth(SENTINEL_USER.name, SENTINEL_USER.password)).toBe('OK');
    } finally {
      anonymous.disconnect();
    }
    await expectToReachPrimary({
      sentinels: `127.0.0.1:${aclPort}`,
      name: 'minishop-test',
      username: SENTINEL_USER.name,
      password: SENTINEL_USER.password,
    });
  });
});
