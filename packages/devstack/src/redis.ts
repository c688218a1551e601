// Provides a Redis server for local runs and tests: REDIS_URL when given, otherwise `redis-server`
// from PATH on a free loopback port, in its own process group so that we decide when it stops.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './free-port.ts';
import {
  killOnParentExit,
  sleep,
  stopLeftoverServer,
  stopProcess,
  waitForChildExit,
  type StopStep,
} from './process-control.ts';

export interface StartRedisOptions {
  /** Directory for the pid file, the log and (when persistent) the append-only file. */
  dataDir?: string;
  /** Keep the data in dataDir between runs; default true when dataDir is given. */
  persistent?: boolean;
}

export interface RedisServer {
  url: string;
  /** True when we started the server (false when REDIS_URL was used). */
  embedded: boolean;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
/** SIGTERM makes Redis flush its append-only file before exiting. */
const SHUTDOWN = [
  { signal: 'SIGTERM', waitMs: 10_000 },
  { signal: 'SIGKILL', waitMs: 2000 },
] satisfies StopStep[];

export const REDIS_MISSING_MESSAGE =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, ' +
  'macOS: `brew install redis`) or point REDIS_URL at a running Redis (for example redis://127.0.0.1:6379).';

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const external = process.env.REDIS_URL;
  if (external) return { url: external, embedded: false, stop: async () => {} };

  const dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
  const persistent = options.persistent ?? true;
  if (dataDir) {
    await fs.mkdir(dataDir, { recursive: true });
    await stopLeftoverServer(path.join(dataDir, 'redis.pid'), /redis-server/, SHUTDOWN);
  }

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      dataDir && persistent ? 'yes' : 'no',
      ...(dataDir ? ['--dir', dataDir, '--pidfile', path.join(dataDir, 'redis.pid')] : []),
      ...(dataDir ? ['--logfile', path.join(dataDir, 'redis.log')] : ['--loglevel', 'warning']),
    ];
    const child = spawn('redis-server', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (error) => resolve(error));
    });
    if (spawnError) {
      if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(REDIS_MISSING_MESSAGE);
      throw spawnError;
    }
    const url = `redis://127.0.0.1:${port}`;
    try {
      await waitForPing(child, port);
    } catch (error) {
      await stopProcess(child, [{ signal: 'SIGKILL', waitMs: 2000 }]);
      const logTail = dataDir
        ? await fs.readFile(path.join(dataDir, 'redis.log'), 'utf8').catch(() => '')
        : output;
      lastError = new Error(
        `${(error as Error).message}\n${logTail.trim().split('\n').slice(-10).join('\n')}`,
      );
      if (/address already in use/i.test(lastError.message)) continue;
      throw lastError;
    }
    // Once it is up we no longer read its output; later lines go to its log file or nowhere.
    child.stdout?.destroy();
    child.stderr?.destroy();
    const forget = killOnParentExit(child, 'SIGTERM');
    let stopped: Promise<void> | undefined;
    return {
      url,
      embedded: true,
      stop: () => {
        stopped ??= stopProcess(child, SHUTDOWN).then(forget);
        return stopped;
      },
    };
  }
  throw lastError ?? new Error('redis-server did not start');
}

/** Sends PING over RESP and resolves true on +PONG. */
export function ping(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

async function waitForPing(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void waitForChildExit(child, START_TIMEOUT_MS).then((done) => (exited = done));
  while (Date.now() < deadline && !exited) {
    if (await ping(port)) return;
    await sleep(50);
  }
  throw new Error(
    exited ? 'redis-server exited while starting.' : 'redis-server did not answer PING in time.',
  );
}
