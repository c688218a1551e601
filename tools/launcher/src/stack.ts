// Starts the whole shop the way `npm start` does — PostgreSQL, Redis, the simulators and every
// service as its own process — and stops it again. The end-to-end tests and the benchmark use
// this too, with free ports and a temporary data directory.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertPortFree, isPortFree } from '@minishop/devstack/free-port';
import { ensureDatabase, startPostgres, type PostgresServer } from '@minishop/devstack/postgres';
import { commandLineOf, isAlive, stopProcess } from '@minishop/devstack/process-control';
import { startRedis, type RedisServer } from '@minishop/devstack/redis';
import { PREBUILT_DIR_ENV, prebuild } from '@minishop/kit/prebuild';
import {
  COMPONENT_PORTS,
  DATABASE_SERVICES,
  DEFAULT_PORTS,
  SERVICE_NAMES,
  TOOL_NAMES,
  componentEnv,
  entryPoint,
  type ComponentName,
  type DatabaseService,
  type ServiceName,
  type StackPorts,
  type StackSecretsView,
} from './components.ts';
import { spawnComponent, type ComponentProcess } from './component-process.ts';
import { makePrefixer, useColour } from './log-lines.ts';
import { waitForHttp, waitForPort, waitForReady } from './readiness.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import { loadDemoProducts, seedCatalog, type SeedResult } from './seed.ts';

export { waitForHttp, waitForPort, waitForReady } from './readiness.ts';
export { DEFAULT_PORTS, type ComponentName, type ServiceName, type StackPorts } from './components.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * Processes run the JavaScript of their TypeScript sources, stripped once per start into
 * `<root>/.minishop/prebuilt` and served by the kit's loader, so none of them loads Node's
 * TypeScript stripper (docs/local-run.md). A root without the loader runs its sources as they are.
 */
async function prebuiltRuntime(root: string): Promise<{ env: Record<string, string>; nodeOption: string }> {
  const loader = path.join(root, 'packages', 'kit', 'loader.mjs');
  if (!existsSync(loader)) return { env: {}, nodeOption: '' };
  const dir = path.join(root, '.minishop', 'prebuilt');
  await prebuild(root, dir);
  return { env: { [PREBUILT_DIR_ENV]: dir }, nodeOption: `--import=${pathToFileURL(loader).href}` };
}

export interface StartStackOptions {
  /** Holds postgres/, redis/, secrets.json and run.json; created when missing. */
  dataDir: string;
  /** The repository whose services/ and tools/ are started (default: this one). */
  root?: string;
  /** 'default' (the contract's ports), 'free' (any free ports) or explicit ports over the defaults. */
  ports?: 'default' | 'free' | Partial<StackPorts>;
  /** Extra environment for every process (MINISHOP_ENV, LOG_LEVEL, RATE_LIMIT_PER_MINUTE, ...). */
  env?: Record<string, string>;
  /** Extra environment for one process, applied last. */
  componentEnv?: Partial<Record<ComponentName, Record<string, string>>>;
  /** Print nothing; the processes' last lines still appear in error messages. */
  quiet?: boolean;
  /** Where output lines go (default: stdout). */
  print?: (line: string) => void;
  /** Seed the demo catalog into an empty catalog (default true). */
  seed?: boolean;
  /** Keep PostgreSQL and Redis data between runs (default true). */
  persistent?: boolean;
  /** Admin URL of a PostgreSQL server to use; default DATABASE_URL, else embedded PostgreSQL. */
  databaseUrl?: string;
  /** Redis to use; default REDIS_URL, else redis-server from PATH. */
  redisUrl?: string;
  /** Prefix of the per-service database names, to share one server between stacks. */
  databasePrefix?: string;
  /** Start only these components (of those that exist). */
  only?: ComponentName[];
  /** How long each start phase may take before the start fails. */
  readyTimeoutMs?: number;
  /** Aborting stops whatever was started and rejects. */
  signal?: AbortSignal;
}

export interface StackUrls {
  gateway: string;
  docs: string;
  mailUi: string;
  paymentProvider: string;
  services: Record<ServiceName, string>;
}

export interface ComponentExit {
  name: ComponentName;
  code: number | null;
  signal: NodeJS.Signals | null;
  recentOutput: string[];
}

export interface RunningStack {
  urls: StackUrls;
  ports: StackPorts;
  admin: { email: string; password: string };
  /** Per-service database URLs of the services that run. */
  databaseUrls: Partial<Record<DatabaseService, string>>;
  redisUrl: string;
  secrets: StackSecretsView;
  /** Whether PostgreSQL / Redis were started here (false when given by URL). */
  embedded: { postgres: boolean; redis: boolean };
  started: ComponentName[];
  /** Components without an entry point yet (or left out by `only`). */
  missing: ComponentName[];
  /** The demo catalog seeding: its result, or why it failed; undefined when not attempted. */
  seed?: SeedResult | { error: string };
  /** Resolves when a process exits while the stack is meant to be running. */
  exited: Promise<ComponentExit>;
  /** Process id of a running component (for measuring it). */
  pid(name: ComponentName): number | undefined;
  /**
   * Stops one component (SIGTERM and drain, or SIGKILL as a crash would) and starts it again,
   * optionally with extra environment, then waits until it is ready. Used by recovery tests.
   */
  restart(name: ComponentName, options?: { env?: Record<string, string>; kill?: boolean }): Promise<void>;
  /** Resolves when the component's current process exits. */
  exitOf(name: ComponentName): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const ADMIN_DEFAULTS = { email: 'admin@minishop.local', password: 'minishop-admin' };
const INHERITED_CONTRACT_VARS = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'REDIS_URL',
  'SERVICE_CLIENT_ID',
  'SERVICE_CLIENT_SECRET',
  'SERVICE_CLIENTS',
  'AUTH_URL',
  'CATALOG_URL',
  'CART_URL',
  'ORDERS_URL',
  'PAYMENTS_URL',
  'SHIPPING_URL',
  'NOTIFICATIONS_URL',
  'SMTP_PORT',
  'HTTP_PORT',
];

export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  const root = path.resolve(options.root ?? REPO_ROOT);
  const dataDir = path.resolve(options.dataDir);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const allNames: ComponentName[] = [...TOOL_NAMES, ...SERVICE_NAMES];
  const prefix = makePrefixer(['launcher', ...allNames], options.print ? false : useColour());
  const note = (line: string): void => {
    if (!options.quiet) print(`${prefix('launcher')} ${line}`);
  };
  const childPrint = options.quiet
    ? undefined
    : (name: string, line: string) => print(`${prefix(name)} ${line}`);
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const signal = options.signal;

  const wanted = options.only ? allNames.filter((n) => options.only!.includes(n)) : allNames;
  const present = wanted.filter((name) => existsSync(entryPoint(root, name)));
  const missing = allNames.filter((name) => !present.includes(name));
  for (const name of missing.filter((n) => wanted.includes(n))) {
    note(`${name}: skipped, ${path.relative(root, entryPoint(root, name))} does not exist yet`);
  }

  await fs.mkdir(dataDir, { recursive: true });
  const runFile = path.join(dataDir, 'run.json');
  await stopLeftovers(runFile, note);

  const ports = await resolvePorts(options.ports ?? 'default');
  await checkPorts(present, ports);

  const admin = {
    email: options.env?.MINISHOP_ADMIN_EMAIL ?? process.env.MINISHOP_ADMIN_EMAIL ?? ADMIN_DEFAULTS.email,
    password:
      options.env?.MINISHOP_ADMIN_PASSWORD ?? process.env.MINISHOP_ADMIN_PASSWORD ?? ADMIN_DEFAULTS.password,
  };
  const secrets = await loadOrCreateSecrets(path.join(dataDir, 'secrets.json'));

  const processes = new Map<ComponentName, ComponentProcess>();
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let stopping = false;
  let resolveExit!: (exit: ComponentExit) => void;
  const exited = new Promise<ComponentExit>((resolve) => (resolveExit = resolve));

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const stopGroup = (names: readonly ComponentName[]) =>
      Promise.all(names.map((name) => processes.get(name)?.stop(STOP_GRACE_MS)));
    // The entry point first so no new requests arrive, the stores last so everyone can drain.
    await stopGroup(['gateway']);
    await stopGroup(['cart', 'orders', 'payments', 'shipping', 'notifications', 'catalog']);
    await stopGroup(['auth', 'payment-provider', 'mail-sink']);
    await Promise.allSettled([redis?.stop(), postgres?.stop()]);
    await fs.rm(runFile, { force: true });
  };

  try {
    const persistent = options.persistent ?? true;
    const startedAt = Date.now();
    // Started side by side; whichever succeeded is stopped again if the other failed.
    const [pgResult, redisResult] = await Promise.allSettled([
      options.databaseUrl
        ? { adminUrl: options.databaseUrl, embedded: false, stop: async () => {} }
        : startPostgres({ dataDir: path.join(dataDir, 'postgres'), persistent }),
      options.redisUrl
        ? { url: options.redisUrl, embedded: false, stop: async () => {} }
        : startRedis({ dataDir: path.join(dataDir, 'redis'), persistent }),
    ]);
    if (pgResult.status === 'fulfilled') postgres = pgResult.value;
    if (redisResult.status === 'fulfilled') redis = redisResult.value;
    if (pgResult.status === 'rejected') throw pgResult.reason;
    if (redisResult.status === 'rejected') throw redisResult.reason;
    const database = pgResult.value;
    const cache = redisResult.value;
    note(
      `PostgreSQL ${database.embedded ? `embedded (data in ${path.relative(process.cwd(), path.join(dataDir, 'postgres')) || '.'})` : 'from DATABASE_URL'}, ` +
        `Redis ${cache.embedded ? 'redis-server' : 'from REDIS_URL'} ready in ${Date.now() - startedAt} ms`,
    );
    signal?.throwIfAborted();

    const databaseUrls: Partial<Record<DatabaseService, string>> = {};
    const dbPrefix = options.databasePrefix ?? '';
    await Promise.all(
      DATABASE_SERVICES.filter((s) => present.includes(s)).map(async (service) => {
        databaseUrls[service] = await ensureDatabase(database.adminUrl, `${dbPrefix}${service}`);
      }),
    );

    const inherited: Record<string, string | undefined> = { ...process.env };
    for (const key of INHERITED_CONTRACT_VARS) delete inherited[key];
    const inputs = { ports, databaseUrls, redisUrl: cache.url, secrets, admin };
    const runtime = await prebuiltRuntime(root);
    const restarting = new Set<ComponentName>();
    const extraEnv: Partial<Record<ComponentName, Record<string, string>>> = {};
    const launch = (name: ComponentName): ComponentProcess => {
      const env: Record<string, string | undefined> = {
        ...inherited,
        MINISHOP_ENV: process.env.MINISHOP_ENV ?? 'development',
        ...runtime.env,
        ...componentEnv(name, inputs),
        ...options.env,
        ...options.componentEnv?.[name],
        ...extraEnv[name],
      };
      // Whatever runtime flags a process gets, it also loads the prebuilt sources.
      env.NODE_OPTIONS = [env.NODE_OPTIONS, runtime.nodeOption].filter(Boolean).join(' ');
      const proc = spawnComponent({ name, entry: entryPoint(root, name), cwd: root, env, print: childPrint });
      processes.set(name, proc);
      void proc.exited.then(({ code, signal: sig }) => {
        if (stopping || restarting.has(name)) return;
        resolveExit({ name, code, signal: sig, recentOutput: proc.recentOutput() });
      });
      return proc;
    };
    // Printed lines are already on screen; in quiet mode the error has to carry them.
    const lastLines = (proc: ComponentProcess): string =>
      options.quiet
        ? `. Its last lines:\n${proc.recentOutput().join('\n')}`
        : ` (its output is above, prefixed "${proc.name}")`;
    const ready = async (name: ComponentName): Promise<void> => {
      const proc = processes.get(name)!;
      const started = Date.now();
      const waitOptions = {
        timeoutMs,
        signal,
        check: () => {
          if (proc.hasExited()) {
            throw new Error(`${name} exited while starting${lastLines(proc)}`);
          }
        },
      };
      try {
        if (name === 'mail-sink') {
          await waitForPort(ports.mailHttp, '127.0.0.1', waitOptions);
          await waitForPort(ports.mailSmtp, '127.0.0.1', waitOptions);
        } else if (name === 'payment-provider') {
          // Any HTTP answer means it listens; the simulator has no dependencies to check.
          await waitForHttp(`http://127.0.0.1:${ports.paymentProvider}/healthz`, {
            ...waitOptions,
            accept: () => true,
          });
        } else {
          const base = `http://127.0.0.1:${ports[COMPONENT_PORTS[name][0]!]}`;
          await waitForReady(base, waitOptions);
          await checkIdentity(base, name);
        }
      } catch (error) {
        if (signal?.aborted || proc.hasExited()) throw error;
        throw new Error(`${(error as Error).message}${lastLines(proc)}`);
      }
      note(`${name} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    };
    const phase = async (names: readonly ComponentName[]): Promise<void> => {
      const starting = names.filter((name) => present.includes(name));
      for (const name of starting) launch(name);
      await writeRunFile(runFile, processes);
      await Promise.all(starting.map(ready));
      signal?.throwIfAborted();
    };

    // Auth first: every other service fetches its signing keys. The gateway last: once it
    // answers, everything behind it does too.
    await phase(['payment-provider', 'mail-sink', 'auth']);
    await phase(['catalog', 'cart', 'orders', 'payments', 'shipping', 'notifications']);
    await phase(['gateway']);

    const urls = stackUrls(ports);
    let seed: RunningStack['seed'];
    if ((options.seed ?? true) && present.includes('gateway') && present.includes('catalog')) {
      try {
        seed = await seedCatalog(urls.gateway, admin, await loadDemoProducts());
        note(
          seed.created > 0
            ? `seeded the demo catalog with ${seed.created} products`
            : `catalog already has ${seed.existing} products; not seeding`,
        );
      } catch (error) {
        seed = { error: (error as Error).message };
        note(`could not seed the demo catalog: ${seed.error}`);
      }
    }
    note(`started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    let stopped: Promise<void> | undefined;
    return {
      urls,
      ports,
      admin,
      databaseUrls,
      redisUrl: cache.url,
      secrets,
      embedded: { postgres: database.embedded, redis: cache.embedded },
      started: [...processes.keys()],
      missing,
      seed,
      exited,
      pid: (name) => processes.get(name)?.child.pid,
      exitOf: (name) => {
        const proc = processes.get(name);
        if (!proc) throw new Error(`${name} is not running`);
        return proc.exited;
      },
      restart: async (name, restartOptions = {}) => {
        const proc = processes.get(name);
        if (!proc) throw new Error(`${name} is not part of this stack`);
        restarting.add(name);
        try {
          if (!proc.hasExited()) {
            if (restartOptions.kill) {
              proc.child.kill('SIGKILL');
              await proc.exited;
            } else {
              await proc.stop(STOP_GRACE_MS);
            }
          }
          extraEnv[name] = restartOptions.env ?? {};
          launch(name);
          await writeRunFile(runFile, processes);
          await ready(name);
        } finally {
          restarting.delete(name);
        }
      },
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export function stackUrls(ports: StackPorts, host = '127.0.0.1'): StackUrls {
  const url = (port: number) => `http://${host}:${port}`;
  return {
    gateway: url(ports.gateway),
    docs: `${url(ports.gateway)}/docs`,
    mailUi: url(ports.mailHttp),
    paymentProvider: url(ports.paymentProvider),
    services: Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, url(ports[COMPONENT_PORTS[name][0]!])]),
    ) as Record<ServiceName, string>,
  };
}

/**
 * Ports of a stack started with ports: 'free': a block of consecutive free ports at a random
 * place between 20000 and 32000. That range lies below the kernel's ephemeral ports (where
 * outgoing connections and port-0 listeners land), and a random block keeps stacks started at
 * the same moment (parallel test files) from picking the same port before either binds it.
 */
async function resolvePorts(choice: 'default' | 'free' | Partial<StackPorts>): Promise<StackPorts> {
  if (choice === 'default') return { ...DEFAULT_PORTS };
  if (choice !== 'free') return { ...DEFAULT_PORTS, ...choice };
  const keys = Object.keys(DEFAULT_PORTS) as Array<keyof StackPorts>;
  for (let tries = 0; tries < 50; tries++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - keys.length));
    const candidates = keys.map((_, i) => base + i);
    if ((await Promise.all(candidates.map((port) => isPortFree(port)))).every(Boolean)) {
      return Object.fromEntries(keys.map((key, i) => [key, candidates[i]!])) as unknown as StackPorts;
    }
  }
  throw new Error('found no block of free ports between 20000 and 32000');
}

/** Makes sure the process answering on a service's port is that service, not another one. */
async function checkIdentity(base: string, name: ComponentName): Promise<void> {
  const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3_000) });
  const body = (await res.json().catch(() => ({}))) as { service?: string };
  if (body.service !== name) {
    throw new Error(
      `${base} answers as ${body.service ?? 'something else'}, not ${name}: another process holds the port`,
    );
  }
}

/** Fails before anything starts when a port the stack needs is taken, naming every such port. */
async function checkPorts(present: ComponentName[], ports: StackPorts): Promise<void> {
  const needed = present.flatMap((name) => COMPONENT_PORTS[name].map((key) => ({ name, port: ports[key] })));
  const results = await Promise.all(needed.map(async (n) => ({ ...n, free: await isPortFree(n.port) })));
  const taken = results.filter((r) => !r.free);
  if (taken.length === 1) await assertPortFree(taken[0]!.port, taken[0]!.name);
  if (taken.length > 1) {
    throw new Error(
      `Ports already in use: ${taken.map((t) => `${t.port} (${t.name})`).join(', ')}. ` +
        'Is Minishop already running? Stop whatever listens there and try again.',
    );
  }
}

interface RunFile {
  launcher_pid: number;
  components: Array<{ name: string; pid: number; entry: string }>;
}

async function writeRunFile(file: string, processes: Map<ComponentName, ComponentProcess>): Promise<void> {
  const content: RunFile = {
    launcher_pid: process.pid,
    components: [...processes.values()]
      .filter((p) => p.child.pid !== undefined)
      .map((p) => ({ name: p.name, pid: p.child.pid!, entry: String(p.child.spawnargs[1] ?? '') })),
  };
  await fs.writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
}

/**
 * A launcher that was killed (kill -9, a closed terminal) leaves its services running on the ports
 * we need. They are recorded in run.json: stop those that still run. A launcher that is still alive
 * owns them, so we refuse to start a second stack on the same data.
 */
async function stopLeftovers(file: string, note: (line: string) => void): Promise<void> {
  let previous: RunFile;
  try {
    previous = JSON.parse(await fs.readFile(file, 'utf8')) as RunFile;
  } catch {
    return;
  }
  if (previous.launcher_pid !== process.pid && isAlive(previous.launcher_pid)) {
    const command = (await commandLineOf(previous.launcher_pid)) ?? '';
    if (/node/.test(command)) {
      throw new Error(
        `Minishop is already running from ${path.dirname(file)} (launcher pid ${previous.launcher_pid}). ` +
          'Stop it (Ctrl-C in its terminal) before starting another.',
      );
    }
  }
  const leftovers: RunFile['components'] = [];
  for (const component of previous.components ?? []) {
    if (isAlive(component.pid) && ((await commandLineOf(component.pid)) ?? '').includes(component.entry)) {
      leftovers.push(component);
    }
  }
  if (leftovers.length > 0) {
    note(`stopping ${leftovers.map((c) => c.name).join(', ')} left running by an earlier run`);
    await Promise.all(
      leftovers.map((c) =>
        stopProcess(c.pid, [
          { signal: 'SIGTERM', waitMs: STOP_GRACE_MS },
          { signal: 'SIGKILL', waitMs: 2000 },
        ]),
      ),
    );
  }
  await fs.rm(file, { force: true });
}
