// A Redis client found through Sentinel, as production runs it: a real redis-server in Sentinel
// mode watches the test Redis, and the kit's client asks it for the primary, keeping the user,
// password and database of REDIS_URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@minishop/devstack/free-port';
import { eventually, testRedisUrl } from '@minishop/devstack/testing';
import { createRedis } from '../src/redis.ts';

let dir: string;
let sentinel: ChildProcess;
let sentinelPort: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'minishop-sentinel-'));
  sentinelPort = await freePort();
  const primary = new URL(testRedisUrl());
  const config = path.join(dir, 'sentinel.conf');
  await writeFile(
    config,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor minishop-test ${primary.hostname} ${primary.port || 6379} 1`,
    ].join('\n'),
  );
  sentinel = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
});
afterAll(async () => {
  if (sentinel.exitCode === null) {
    const exited = new Promise((resolve) => sentinel.once('exit', resolve));
    sentinel.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('a Redis client through Sentinel', () => {
  it('reaches the primary the Sentinel names, in the database REDIS_URL names', async () => {
    const viaSentinel = createRedis('redis://ignored-host:1/3', {
      sentinel: { sentinels: `127.0.0.1:${sentinelPort}`, name: 'minishop-test' },
    });
    const direct = createRedis(`${testRedisUrl()}/3`);
    try {
      const key = `sentinel-test:${Date.now()}`;
      await eventually(async () => (await viaSentinel.ping()) === 'PONG', 'the client to find the primary');
      await viaSentinel.set(key, 'through sentinel', 'EX', 60);
      expect(await direct.get(key)).toBe('through sentinel');
    } finally {
      viaSentinel.disconnect();
      direct.disconnect();
    }
  });
});
