// Starts the whole shop the way `npm start` does — PostgreSQL, Redis, the simulators, every
// service as its own process and the web app's build — and stops it again. The end-to-end tests,
// the benchmark and the chaos suite use this too, with free ports and a temporary data directory.
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  COMPONENT_PORTS,
  SERVICE_NAMES,
  TOOL_NAMES,
  entryPoint,
  managementPortKey,
  type ComponentName,
  type EnvInputs,
  type DatabaseService,
  type ServiceName,
  type StackPorts,
  type StackSecretsView,
} from './components.ts';
import { makePrefixer, useColour } from './log-lines.ts';
import { checkPorts, resolvePorts } from './ports.ts';
import { stopLeftovers, writeRunFile } from './run-file.ts';
import { loadOrCreateSecrets } from './secrets.ts';
import { loadDemoProducts, seedCatalog, type SeedResult } from './seed.ts';
import { ensureDatabases, startStores } from './stores.ts';
import { Supervisor, prebuiltRuntime, type ComponentExit, type StackEvent } from './supervisor.ts';
import { ensureWebBuild, type WebBuild } from './web-build.ts';

export { waitForHttp, waitForPort, waitForReady } from './readiness.ts';
export { DEFAULT_PORTS, type ComponentName, type ServiceName, type StackPorts } from './components.ts';
export type { ComponentExit, StackEvent } from './supervisor.ts';
export type { WebBuild } from './web-build.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

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
  /** More settings for the embedded PostgreSQL (`name=value`), e.g. a library the benchmark preloads. */
  postgresSettings?: string[];
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
  /** Build the web app when web/ changed and serve it from the gateway (default true). */
  web?: boolean;
}

export interface StackUrls {
  gateway: string;
  docs: string;
  mailUi: string;
  paymentProvider: string;
  services: Record<ServiceName, string>;
  /** Each service's management server: /healthz, /readyz, /metrics. */
  management: Record<ServiceName, string>;
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
  /** What the web build did (absent when the stack was started with web: false). */
  web?: WebBuild;
  /** Resolves when a process exits while the stack is meant to be running and nobody asked it to. */
  exited: Promise<ComponentExit>;
  /** Process id of a running component (for measuring it). */
  pid(name: ComponentName): number | undefined;
  /** Whether the component's process runs (a frozen one counts as running). */
  isRunning(name: ComponentName): boolean;
  /**
   * Every start, readiness, freeze, resume and exit of a component, as it happens; exits a caller
   * asked for (kill, restart, stop) are marked expected. Returns the unsubscribe function.
   */
  subscribe(listener: (event: StackEvent) => void): () => void;
  /** Ends a process now (SIGKILL, as a crash; or SIGTERM and drain). It stays down until restart(). */
  kill(name: ComponentName, signal?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** SIGSTOP: the process keeps its sockets and answers nothing until resume() (SIGCONT). */
  freeze(name: ComponentName): void;
  resume(name: ComponentName): void;
  /**
   * Stops one component (SIGTERM and drain, or SIGKILL as a crash would) and starts it again,
   * optionally with extra environment, then waits until it is ready. Starts one that is down.
   */
  restart(name: ComponentName, options?: { env?: Record<string, string>; kill?: boolean }): Promise<void>;
  /** Resolves when the component's current process exits. */
  exitOf(name: ComponentName): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const ADMIN_DEFAULTS = { email: 'admin@minishop.local', password: 'minishop-admin' };

/** The start's settings that follow from the options: what to start, where, how to report. */
function plan(options: StartStackOptions) {
  const root = path.resolve(options.root ?? REPO_ROOT);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const allNames: ComponentName[] = [...TOOL_NAMES, ...SERVICE_NAMES];
  const prefix = makePrefixer(['launcher', ...allNames], options.print ? false : useColour());
  const note = (line: string): void => {
    if (!options.quiet) print(`${prefix('launcher')} ${line}`);
  };
  const childPrint = options.quiet
    ? undefined
    : (name: string, line: string) => print(`${prefix(name)} ${line}`);
  const wanted = options.only ? allNames.filter((n) => options.only!.includes(n)) : allNames;
  const present = wanted.filter((name) => existsSync(entryPoint(root, name)));
  const missing = allNames.filter((name) => !present.includes(name));
  for (const name of missing.filter((n) => wanted.includes(n))) {
    note(`${name}: skipped, ${path.relative(root, entryPoint(root, name))} does not exist yet`);
  }
  const admin = {
    email: options.env?.MINISHOP_ADMIN_EMAIL ?? process.env.MINISHOP_ADMIN_EMAIL ?? ADMIN_DEFAULTS.email,
    password:
      options.env?.MINISHOP_ADMIN_PASSWORD ?? process.env.MINISHOP_ADMIN_PASSWORD ?? ADMIN_DEFAULTS.password,
  };
  return { root, dataDir: path.resolve(options.dataDir), note, childPrint, present, missing, admin };
}

/** Starts the web build in the background; the gateway waits for it (docs/local-run.md). */
function startWebBuild(options: StartStackOptions, root: string, note: (line: string) => void) {
  if (options.web === false) return Promise.resolve(undefined);
  return ensureWebBuild(root, options.signal).then((build) => {
    if (build.status === 'absent') note(`web app: skipped, ${build.reason}`);
    if (build.status === 'fresh') note('web app: web/dist is up to date');
    if (build.status === 'built') note(`web app: built in ${(build.ms / 1000).toFixed(1)} s`);
    if (build.status === 'failed') {
      note(`web app: THE BUILD FAILED; the gateway runs without it. The build said:\n${build.error}`);
    }
    return build;
  });
}

async function seedDemoCatalog(
  urls: StackUrls,
  admin: { email: string; password: string },
  note: (line: string) => void,
): Promise<RunningStack['seed']> {
  try {
    const seed = await seedCatalog(urls.gateway, admin, await loadDemoProducts());
    note(
      seed.created > 0
        ? `seeded the demo catalog with ${seed.created} products`
        : `catalog already has ${seed.existing} products; not seeding`,
    );
    return seed;
  } catch (error) {
    note(`could not seed the demo catalog: ${(error as Error).message}`);
    return { error: (error as Error).message };
  }
}

export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  const { root, dataDir, note, childPrint, present, missing, admin } = plan(options);
  const signal = options.signal;
  await fs.mkdir(dataDir, { recursive: true });
  const runFile = path.join(dataDir, 'run.json');
  await stopLeftovers(runFile, note);
  const ports = await resolvePorts(options.ports ?? 'default');
  await checkPorts(present, ports);
  const secrets = await loadOrCreateSecrets(path.join(dataDir, 'secrets.json'));

  const storeStops: Array<() => Promise<void>> = [];
  let supervisor: Supervisor | undefined;
  const stopAll = async (): Promise<void> => {
    await supervisor?.stopAll();
    await Promise.allSettled(storeStops.map((stop) => stop()));
    await fs.rm(runFile, { force: true });
  };

  const startedAt = Date.now();
  const webBuild = startWebBuild(options, root, note);
  // Awaited below; this keeps a failure meanwhile from counting as unhandled.
  webBuild.catch(() => undefined);
  try {
    const stores = await startStores(
      {
        dataDir,
        persistent: options.persistent ?? true,
        databaseUrl: options.databaseUrl,
        redisUrl: options.redisUrl,
        postgresSettings: options.postgresSettings,
      },
      (stop) => storeStops.push(stop),
    );
    const where = path.relative(process.cwd(), path.join(dataDir, 'postgres')) || '.';
    note(
      `PostgreSQL ${stores.postgres.embedded ? `embedded (data in ${where})` : 'from DATABASE_URL'}, ` +
        `Redis ${stores.redis.embedded ? 'redis-server' : 'from REDIS_URL'} ready in ${Date.now() - startedAt} ms`,
    );
    signal?.throwIfAborted();
    const databaseUrls = await ensureDatabases(
      stores.postgres.adminUrl,
      present,
      options.databasePrefix ?? '',
    );
    const inputs: EnvInputs = { ports, databaseUrls, redisUrl: stores.redis.url, secrets, admin, dataDir };
    const sup: Supervisor = new Supervisor(
      {
        root,
        inputs,
        env: options.env,
        componentEnv: options.componentEnv,
        timeoutMs: options.readyTimeoutMs ?? 60_000,
        signal,
        quiet: options.quiet,
        note,
        childPrint,
        onPidsChanged: (): Promise<void> => writeRunFile(runFile, sup.processes),
      },
      await prebuiltRuntime(root),
    );
    supervisor = sup;
    const startable = (names: ComponentName[]) => names.filter((name) => present.includes(name));

    // Auth first: every other service fetches its signing keys. The gateway last: once it
    // answers, everything behind it does too, including the web app it serves.
    await sup.startGroup(startable(['payment-provider', 'mail-sink', 'auth']));
    await sup.startGroup(startable(['catalog', 'cart', 'orders', 'payments', 'shipping', 'notifications']));
    const web = await webBuild;
    if (web && (web.status === 'built' || web.status === 'fresh')) inputs.webRoot = web.webRoot;
    await sup.startGroup(startable(['gateway']));

    const urls = stackUrls(ports);
    const seeding = (options.seed ?? true) && present.includes('gateway') && present.includes('catalog');
    const seed = seeding ? await seedDemoCatalog(urls, admin, note) : undefined;
    note(`started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    const facts = {
      urls,
      ports,
      admin,
      databaseUrls,
      redisUrl: stores.redis.url,
      secrets,
      embedded: { postgres: stores.postgres.embedded, redis: stores.redis.embedded },
      started: [...sup.processes.keys()],
      missing,
      seed,
      web,
    };
    return controls(facts, sup, stopAll);
  } catch (error) {
    // The build may still run: let it finish before its directory is taken away.
    await webBuild.catch(() => undefined);
    await stopAll();
    throw error;
  }
}

/** The running stack: what it is, and the handles on its processes. */
function controls(
  facts: Omit<
    RunningStack,
    | 'exited'
    | 'pid'
    | 'isRunning'
    | 'subscribe'
    | 'kill'
    | 'freeze'
    | 'resume'
    | 'exitOf'
    | 'restart'
    | 'stop'
  >,
  sup: Supervisor,
  stopAll: () => Promise<void>,
): RunningStack {
  let stopped: Promise<void> | undefined;
  return {
    ...facts,
    exited: sup.exited,
    pid: (name) => sup.pid(name),
    isRunning: (name) => sup.isRunning(name),
    subscribe: (listener) => sup.subscribe(listener),
    kill: (name, how) => sup.kill(name, how),
    freeze: (name) => sup.freeze(name),
    resume: (name) => sup.resume(name),
    exitOf: (name) => {
      const proc = sup.processes.get(name);
      if (!proc) throw new Error(`${name} is not running`);
      return proc.exited;
    },
    restart: (name, restartOptions) => sup.restart(name, restartOptions),
    stop: () => (stopped ??= stopAll()),
  };
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
    management: Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, url(ports[managementPortKey(name)])]),
    ) as Record<ServiceName, string>,
  };
}
