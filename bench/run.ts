// `npm run bench`: starts the whole shop (fresh data, free ports) and a bare node:http server as the
// baseline, measures each scenario in two phases (maximum throughput, then latency at a fixed rate
// of half that maximum), runs the checkout scenario and audits its outcome, and writes
// bench/report.json and bench/report.md. Exits 1 when the audit fails or the run itself breaks
// (a process crashed, the stack did not start); a missed performance floor is reported, not fatal.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@minishop/devstack/free-port';
import {
  componentEnv,
  DEFAULT_PORTS,
  SERVICE_NAMES,
  type ComponentName,
} from '../tools/launcher/src/components.ts';
import { startStack, waitForReady, REPO_ROOT, type RunningStack } from '../tools/launcher/src/stack.ts';
import { createPool } from '@minishop/kit/db';
import { audit, type AuditReport } from './audit.ts';
import type { CheckoutResult, HttpTarget, Job, JobResult, MaxResult, RateResult, ShopUser } from './jobs.ts';
import {
  machine,
  machineBusySeconds,
  round,
  rssBytes,
  UsageSampler,
  type Usage,
  type Watched,
} from './proc.ts';
import { renderMarkdown } from './report.ts';

const BENCH_DIR = import.meta.dirname;
const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const MAX_S = seconds('BENCH_MAX_SECONDS', 10);
const RATE_S = seconds('BENCH_RATE_SECONDS', 10);
const WARMUP_S = seconds('BENCH_WARMUP_SECONDS', 2);
const CHECKOUT_USERS = 32;
const CONTENDERS = 6;
const CONTENDED_STOCK = 5;
const CHECKOUT_STOCK = 1_000_000;
const PASSWORD = 'bench-password-1';
/** Node services held to the memory floor; the simulators are reported too. */
const SERVICES: readonly string[] = ['gateway', ...SERVICE_NAMES.filter((name) => name !== 'gateway')];
const RSS_FLOOR_MB = 120;
/** CPU used by unrelated processes during a phase above which its numbers are suspect. */
const NOISE_CORES = 0.25;

export interface PhaseReport {
  max: MaxResult & { loadgen_cpu_cores: number };
  rate?: RateResult & { loadgen_cpu_cores: number };
  /** CPU per process during the maximum-throughput phase, in cores. */
  cpu_cores: Record<string, number>;
  usage: Record<string, Usage>;
}

export interface ScenarioReport {
  name: string;
  requests_per_s: number;
  p50_ms: number | null;
  p99_ms: number | null;
  errors: number;
  ratio_to_baseline: number;
  fixed_rate_per_s?: number;
  connections: number;
  /** Share of the maximum phase's answers the gateway served from its cache of public reads. */
  gateway_cache_hit_share?: number;
  /** CPU that processes outside the benchmark used during each phase (noise; near 0 in a clean run). */
  other_cpu_cores: { max: number; fixed_rate?: number };
  detail: PhaseReport;
  checkout?: {
    max: CheckoutResult;
    rate: CheckoutResult;
    warmup_checkouts: number;
    /** PostgreSQL work per checkout, by database, including everything the checkouts set off. */
    postgres_per_checkout?: Record<string, PgWork>;
  };
}

export interface Floor {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface Report {
  date: string;
  node: string;
  cpu_model: string;
  cores: number;
  machine: ReturnType<typeof machine>;
  phases: { max_seconds: number; fixed_rate_seconds: number; warmup_seconds: number };
  /** The baseline the ratios use: the higher of its two measurements (start and end of the run). */
  baseline_requests_per_s: number;
  baseline_runs_requests_per_s: number[];
  scenarios: ScenarioReport[];
  diagnostics: ScenarioReport[];
  /** Peak VmRSS per process over the run, in MB. */
  rss_mb: Record<string, number>;
  /** Peak RssAnon (private memory, without the shared node binary pages) per process, in MB. */
  rss_anon_mb: Record<string, number>;
  /** VmRSS per process after start-up, before any load, in MB. */
  rss_idle_mb: Record<string, number>;
  floors: Floor[];
  floors_met: boolean;
  audit: AuditReport | { skipped: string } | null;
  notes: string[];
  started_components: string[];
  missing_components: string[];
  total_seconds: number;
}

const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

// ---------------------------------------------------------------- child processes

function forkTs(file: string): ChildProcess {
  return fork(path.join(BENCH_DIR, file), [], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function waitMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type && message.type !== 'failed') return;
      cleanup();
      if (message.type === 'failed') reject(new Error((message as unknown as { error: string }).error));
      else resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`${path.basename(String(child.spawnargs.at(-1)))} exited (${code}) before answering`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

class LoadGenerator {
  readonly child = forkTs('load-worker.ts');
  readonly ready = waitMessage(this.child, 'ready');

  async run<T extends JobResult>(job: Job): Promise<T> {
    const answer = waitMessage<{ result: T }>(this.child, 'result');
    this.child.send({ type: 'job', job });
    return (await answer).result;
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

// ---------------------------------------------------------------- shop fixtures

async function api<T>(
  base: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; expect?: number[] } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const expect = options.expect ?? [200, 201];
  if (!expect.includes(response.status)) {
    throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

async function login(gateway: string, username: string, password: string): Promise<string> {
  const { body } = await api<{ access_token: string }>(gateway, 'POST', '/auth/login', {
    body: { username, password },
  });
  return body.access_token;
}

async function registerUsers(gateway: string, runId: string, prefix: string, n: number): Promise<ShopUser[]> {
  const users: ShopUser[] = [];
  const make = async (i: number) => {
    const username = `${prefix}_${runId}_${i}`;
    const email = `${prefix}-${runId}-${i}@bench.minishop.test`;
    await api(gateway, 'POST', '/auth/register', { body: { username, email, password: PASSWORD } });
    users[i] = { email, token: await login(gateway, username, PASSWORD) };
  };
  for (let i = 0; i < n; i += 4) {
    await Promise.all(Array.from({ length: Math.min(4, n - i) }, (_, k) => make(i + k)));
  }
  return users;
}

async function createProduct(gateway: string, token: string, name: string, price: string, stock: number) {
  const { body } = await api<{ id: string }>(gateway, 'POST', '/catalog/products', {
    token,
    body: { name, description: 'Created by the benchmark.', price, stock },
  });
  return body.id;
}

// ---------------------------------------------------------------- measuring

export interface PgWork {
  transactions: number;
  rows_written: number;
  rows_read: number;
}

/** Cumulative activity of each service's database, from pg_stat_database (updated within ~1 s). */
async function pgActivity(adminUrl: string, databases: string[]): Promise<Map<string, PgWork>> {
  const pool = createPool(adminUrl, { max: 1, applicationName: 'bench-stats' });
  try {
    const { rows } = await pool.query<{ datname: string; xacts: string; written: string; read: string }>(
      `select datname, xact_commit + xact_rollback as xacts,
              tup_inserted + tup_updated + tup_deleted as written, tup_returned + tup_fetched as read
         from pg_stat_database where datname = any($1::text[])`,
      [databases],
    );
    return new Map(
      rows.map((r) => [
        r.datname,
        { transactions: Number(r.xacts), rows_written: Number(r.written), rows_read: Number(r.read) },
      ]),
    );
  } finally {
    await pool.end();
  }
}

function perCheckout(
  before: Map<string, PgWork>,
  after: Map<string, PgWork>,
  checkouts: number,
): Record<string, PgWork> {
  const out: Record<string, PgWork> = {};
  for (const [db, a] of after) {
    const b = before.get(db) ?? { transactions: 0, rows_written: 0, rows_read: 0 };
    const per = (x: number) => round(x / Math.max(1, checkouts), 1);
    out[db] = {
      transactions: per(a.transactions - b.transactions),
      rows_written: per(a.rows_written - b.rows_written),
      rows_read: per(a.rows_read - b.rows_read),
    };
  }
  return out;
}

async function watchedProcesses(stack: RunningStack, dataDir: string, extra: Watched[]): Promise<Watched[]> {
  const watched: Watched[] = [...extra];
  const run = JSON.parse(await fs.readFile(path.join(dataDir, 'run.json'), 'utf8')) as {
    components: Array<{ name: string; pid: number }>;
  };
  for (const c of run.components) watched.push({ name: c.name, pid: c.pid });
  const pidFrom = async (file: string) => {
    try {
      const pid = Number.parseInt((await fs.readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  if (stack.embedded.postgres) {
    const pid = await pidFrom(path.join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'));
    if (pid) watched.push({ name: 'postgres', pid, tree: true });
  }
  if (stack.embedded.redis) {
    const pid = await pidFrom(path.join(dataDir, 'redis', 'redis.pid'));
    if (pid) watched.push({ name: 'redis', pid });
  }
  return watched;
}

let quietBudgetMs = seconds('BENCH_QUIET_BUDGET_SECONDS', 45) * 1000;
/** Maximum phases measured again because other work ran meanwhile, at most, per run. */
let retriesLeft = 4;
const QUIET_CORES = 0.3;

/**
 * Waits (within a budget for the whole run) until the machine is nearly idle between phases, so
 * that a compile or test run elsewhere on a shared machine does not land in a measurement.
 */
async function waitForQuiet(): Promise<void> {
  const began = Date.now();
  const perWaitMs = Math.min(20_000, quietBudgetMs);
  let announced = false;
  while (Date.now() - began < perWaitMs) {
    const before = machineBusySeconds();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const busy = (machineBusySeconds() - before) / 0.5;
    if (busy < QUIET_CORES) break;
    if (!announced) log(`  waiting for the machine to quieten (${busy.toFixed(2)} cores busy elsewhere)`);
    announced = true;
  }
  quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - began));
}

/** Waits for a quiet machine, then runs the job while sampling CPU and memory of the watched processes. */
async function sampled<T>(
  watched: Watched[],
  job: () => Promise<T>,
): Promise<{ result: T; usage: Record<string, Usage> }> {
  const sampler = new UsageSampler(watched);
  await waitForQuiet();
  sampler.start();
  const result = await job();
  return { result, usage: sampler.stop() };
}

/** Public reads the gateway has answered from its cache so far (0 when it has no such cache). */
async function cacheHits(gatewayManagementUrl: string): Promise<number> {
  try {
    const text = await (
      await fetch(`${gatewayManagementUrl}/metrics`, { signal: AbortSignal.timeout(5000) })
    ).text();
    const match = /^minishop_gateway_cache_hits_total(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)/m.exec(text);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

interface ScenarioSpec {
  name: string;
  target: HttpTarget;
  connections: number;
  rateConnections: number;
  /** Only the maximum-throughput phase (a diagnostic comparison). */
  maxOnly?: boolean;
  /** Processes to watch for this scenario only. */
  extraWatched?: Watched[];
  /** The management URL of a gateway whose /metrics count cache hits: report the share of the maximum phase it served from cache. */
  cacheHitsFrom?: string;
}

async function measure(
  load: LoadGenerator,
  allWatched: Watched[],
  spec: ScenarioSpec,
  baselineRps: number | undefined,
): Promise<ScenarioReport> {
  const watched = [...allWatched, ...(spec.extraWatched ?? [])];
  log(`${spec.name}: maximum throughput, ${spec.connections} connections, ${MAX_S} s`);
  const maxSampler = new UsageSampler(watched);
  // The warm-up is part of the job; the sampler's CPU figure covers both, so sample the measured part only.
  if (WARMUP_S > 0) {
    await load.run({
      kind: 'max',
      target: spec.target,
      connections: spec.connections,
      durationS: WARMUP_S,
      warmupS: 0,
    });
  }
  const maxJob: Job = {
    kind: 'max',
    target: spec.target,
    connections: spec.connections,
    durationS: spec.maxOnly ? Math.max(3, MAX_S / 2) : MAX_S,
    warmupS: 0,
  };
  await waitForQuiet();
  const hitsBefore = spec.cacheHitsFrom ? await cacheHits(spec.cacheHitsFrom) : 0;
  maxSampler.start();
  let max = await load.run<MaxResult & { loadgen_cpu_cores: number }>(maxJob);
  let maxUsage = maxSampler.stop();
  const hitsDuringMax = spec.cacheHitsFrom ? (await cacheHits(spec.cacheHitsFrom)) - hitsBefore : 0;
  let discardedErrors = 0;
  if (maxUsage.other!.cpu_cores > NOISE_CORES && retriesLeft > 0) {
    retriesLeft--;
    // Something else on the machine took CPU meanwhile: measure once more, keep the quieter run.
    log(
      `  ${max.requests_per_s} req/s, but other processes used ${maxUsage.other!.cpu_cores} cores: measuring again`,
    );
    maxSampler.start();
    const again = await load.run<MaxResult & { loadgen_cpu_cores: number }>(maxJob);
    const againUsage = maxSampler.stop();
    if (againUsage.other!.cpu_cores < maxUsage.other!.cpu_cores) {
      discardedErrors = max.non2xx + max.errors;
      max = again;
      maxUsage = againUsage;
      log(`  kept the second run (other processes: ${againUsage.other!.cpu_cores} cores)`);
    } else {
      discardedErrors = again.non2xx + again.errors;
      log(`  kept the first run (the second had ${againUsage.other!.cpu_cores} cores of other work)`);
    }
  }
  log(`  ${max.requests_per_s} req/s, ${max.non2xx} non-2xx, ${max.errors} socket errors`);
  let rate: (RateResult & { loadgen_cpu_cores: number }) | undefined;
  let rateUsage: Record<string, Usage> = {};
  const fixedRate = Math.max(1, Math.floor(max.requests_per_s / 2));
  if (!spec.maxOnly) {
    log(`${spec.name}: fixed rate ${fixedRate}/s, ${RATE_S} s`);
    ({ result: rate, usage: rateUsage } = await sampled(watched, () =>
      load.run<RateResult & { loadgen_cpu_cores: number }>({
        kind: 'rate',
        target: spec.target,
        rate: fixedRate,
        durationS: RATE_S,
        connections: spec.rateConnections,
      }),
    ));
    log(
      `  achieved ${rate.achieved_rate}/s, p50 ${rate.latency.p50_ms} ms, p99 ${rate.latency.p99_ms} ms, ` +
        `${rate.non2xx} non-2xx, ${rate.errors} socket errors`,
    );
  }
  const requestsPerS = max.requests_per_s;
  return {
    name: spec.name,
    requests_per_s: requestsPerS,
    p50_ms: rate ? rate.latency.p50_ms : null,
    p99_ms: rate ? rate.latency.p99_ms : null,
    errors: max.non2xx + max.errors + discardedErrors + (rate ? rate.non2xx + rate.errors : 0),
    ratio_to_baseline: baselineRps ? round(requestsPerS / baselineRps, 3) : 1,
    other_cpu_cores: {
      max: maxUsage.other!.cpu_cores,
      ...(rate ? { fixed_rate: rateUsage.other!.cpu_cores } : {}),
    },
    ...(rate ? { fixed_rate_per_s: fixedRate } : {}),
    ...(spec.cacheHitsFrom && max.ok > 0
      ? { gateway_cache_hit_share: round(hitsDuringMax / max.ok, 3) }
      : {}),
    connections: spec.connections,
    detail: {
      max,
      ...(rate ? { rate } : {}),
      cpu_cores: Object.fromEntries(Object.entries(maxUsage).map(([k, u]) => [k, u.cpu_cores])),
      usage: mergeUsage(maxUsage, rateUsage),
    },
  };
}

function mergeUsage(a: Record<string, Usage>, b: Record<string, Usage>): Record<string, Usage> {
  const out: Record<string, Usage> = { ...a };
  for (const [name, u] of Object.entries(b)) {
    const prev = out[name];
    out[name] = prev
      ? {
          peak_rss_mb: Math.max(prev.peak_rss_mb, u.peak_rss_mb),
          peak_rss_anon_mb: Math.max(prev.peak_rss_anon_mb, u.peak_rss_anon_mb),
          avg_rss_mb: prev.avg_rss_mb,
          cpu_cores: prev.cpu_cores,
        }
      : u;
  }
  return out;
}

async function measureCheckout(
  load: LoadGenerator,
  watched: Watched[],
  gateway: string,
  users: ShopUser[],
  contenders: ShopUser[],
  productIds: string[],
  contendedId: string,
  baselineRps: number,
): Promise<ScenarioReport> {
  const name = 'checkout: POST /cart/items + POST /orders';
  let warmupCheckouts = 0;
  if (WARMUP_S > 0) {
    const warm = await load.run<CheckoutResult & { loadgen_cpu_cores: number }>({
      kind: 'checkout',
      gateway,
      mode: 'max',
      users,
      productIds,
      durationS: WARMUP_S,
    });
    warmupCheckouts = warm.ok;
  }
  log(
    `${name}: maximum throughput, ${users.length} users (+${contenders.length} racing for ${CONTENDED_STOCK} units), ${MAX_S} s`,
  );
  const { result: max, usage: maxUsage } = await sampled(watched, () =>
    load.run<CheckoutResult & { loadgen_cpu_cores: number }>({
      kind: 'checkout',
      gateway,
      mode: 'max',
      users,
      productIds,
      durationS: MAX_S,
      contention: { productId: contendedId, users: contenders },
    }),
  );
  log(
    `  ${max.checkouts_per_s} checkouts/s, p50 ${max.latency.p50_ms} ms, p99 ${max.latency.p99_ms} ms (closed loop), ` +
      `${max.non2xx} non-2xx, ${max.errors} socket errors, ${max.unpaid} unpaid; race: ${JSON.stringify(max.contention?.statuses)}`,
  );
  const fixedRate = Math.max(1, Math.floor(max.checkouts_per_s / 2));
  log(`${name}: fixed rate ${fixedRate}/s, ${RATE_S} s`);
  const { result: rate, usage: rateUsage } = await sampled(watched, () =>
    load.run<CheckoutResult & { loadgen_cpu_cores: number }>({
      kind: 'checkout',
      gateway,
      mode: 'rate',
      rate: fixedRate,
      users,
      productIds,
      durationS: RATE_S,
    }),
  );
  log(
    `  ${rate.checkouts_per_s} checkouts/s, p50 ${rate.latency.p50_ms} ms, p99 ${rate.latency.p99_ms} ms, ` +
      `${rate.non2xx} non-2xx, ${rate.errors} socket errors, ${rate.unpaid} unpaid`,
  );
  const asMax: MaxResult & { loadgen_cpu_cores: number } = {
    kind: 'max',
    requests_per_s: max.checkouts_per_s,
    duration_s: max.duration_s,
    ok: max.ok,
    non2xx: max.non2xx,
    errors: max.errors,
    statuses: max.statuses,
    latency: max.latency,
    loadgen_cpu_cores: max.loadgen_cpu_cores,
  };
  return {
    name,
    requests_per_s: max.checkouts_per_s,
    p50_ms: rate.latency.p50_ms,
    p99_ms: rate.latency.p99_ms,
    errors: max.non2xx + max.errors + max.unpaid + rate.non2xx + rate.errors + rate.unpaid,
    ratio_to_baseline: round(max.checkouts_per_s / baselineRps, 4),
    other_cpu_cores: { max: maxUsage.other!.cpu_cores, fixed_rate: rateUsage.other!.cpu_cores },
    fixed_rate_per_s: fixedRate,
    connections: users.length,
    detail: {
      max: asMax,
      cpu_cores: Object.fromEntries(Object.entries(maxUsage).map(([k, u]) => [k, u.cpu_cores])),
      usage: mergeUsage(maxUsage, rateUsage),
    },
    checkout: { max, rate, warmup_checkouts: warmupCheckouts },
  };
}

/** The NODE_OPTIONS the launcher gives a component (runtime flags such as heap limits), if any. */
function launcherNodeOptions(name: string): string {
  const env = componentEnv(name as ComponentName, {
    ports: DEFAULT_PORTS,
    databaseUrls: {},
    redisUrl: '',
    secrets: { serviceClients: {}, paymentProviderSecretKey: '', paymentWebhookSecret: '' },
    admin: { email: '', password: '' },
  });
  return env.NODE_OPTIONS ?? '';
}

/** Starts one more gateway, like the stack's but with the baseline server standing in for Catalog. */
async function startHopGateway(
  stack: RunningStack,
  baselinePort: number,
): Promise<{ child: ChildProcess; origin: string }> {
  const [port, managementPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'services', 'gateway', 'src', 'main.ts')], {
    env: {
      ...process.env,
      // Everything the stack's gateway gets (runtime flags included), then our changes.
      ...componentEnv('gateway', {
        ports: stack.ports,
        databaseUrls: stack.databaseUrls,
        redisUrl: stack.redisUrl,
        secrets: stack.secrets,
        admin: stack.admin,
      }),
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      MINISHOP_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      MANAGEMENT_PORT: String(managementPort),
      REDIS_URL: stack.redisUrl,
      AUTH_URL: stack.urls.services.auth,
      CATALOG_URL: `http://127.0.0.1:${baselinePort}`,
      RATE_LIMIT_PER_MINUTE: '1000000000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForReady(`http://127.0.0.1:${managementPort}`, {
    timeoutMs: 30_000,
    check: () => {
      if (child.exitCode !== null) throw new Error(`the second gateway exited (${child.exitCode})`);
    },
  });
  return { child, origin };
}

// ---------------------------------------------------------------- floors

function evaluateFloors(report: Report): Floor[] {
  const floors: Floor[] = [];
  const find = (prefix: string) => report.scenarios.find((s) => s.name.startsWith(prefix));
  const ratioFloor = (prefix: string, min: number) => {
    const s = find(prefix);
    if (!s) return;
    floors.push({
      name: `${s.name}: throughput`,
      target: `≥ ${min.toFixed(2)}× baseline`,
      measured: `${s.ratio_to_baseline.toFixed(3)}× (${s.requests_per_s} req/s)`,
      met: s.ratio_to_baseline >= min,
    });
  };
  const p99Floor = (prefix: string, maxMs: number) => {
    const s = find(prefix);
    if (!s || s.p99_ms === null) return;
    floors.push({
      name: `${s.name}: p99 at ${s.fixed_rate_per_s}/s`,
      target: `< ${maxMs} ms`,
      measured: `${s.p99_ms} ms`,
      met: s.p99_ms < maxMs,
    });
  };
  ratioFloor('GET /catalog/products/{id}', 0.2);
  p99Floor('GET /catalog/products/{id}', 50);
  p99Floor('GET /catalog/products?limit=20', 50);
  ratioFloor('GET /auth/me', 0.15);
  p99Floor('GET /auth/me', 50);
  for (const s of report.scenarios) {
    floors.push({ name: `${s.name}: errors`, target: '0', measured: String(s.errors), met: s.errors === 0 });
  }
  for (const service of SERVICES) {
    const mb = report.rss_mb[service];
    if (mb === undefined) continue;
    floors.push({
      name: `${service}: peak RSS under load`,
      target: `≤ ${RSS_FLOOR_MB} MB`,
      measured: `${mb} MB`,
      met: mb <= RSS_FLOOR_MB,
    });
  }
  const checkout = find('checkout');
  if (checkout) {
    floors.push({
      name: 'checkout: throughput',
      target: '≥ 50 checkouts/s',
      measured: `${checkout.requests_per_s} checkouts/s`,
      met: checkout.requests_per_s >= 50,
    });
    floors.push({
      name: `checkout: p99 at ${checkout.fixed_rate_per_s}/s`,
      target: '< 500 ms',
      measured: `${checkout.p99_ms} ms`,
      met: (checkout.p99_ms ?? Infinity) < 500,
    });
  }
  if (report.audit && 'ok' in report.audit) {
    floors.push({
      name: 'checkout audit',
      target: 'clean',
      measured: report.audit.ok
        ? 'clean'
        : `${report.audit.checks.filter((c) => !c.ok).length} checks failed`,
      met: report.audit.ok,
    });
  }
  return floors;
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const began = Date.now();
  const notes: string[] = [];
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-bench-'));
  const runId = Date.now().toString(36);
  let stack: RunningStack | undefined;
  const baseline = forkTs('baseline-server.ts');
  const load = new LoadGenerator();
  let crashed: string | undefined;
  let hopGateway: ChildProcess | undefined;
  try {
    const { port: baselinePort } = await waitMessage<{ port: number }>(baseline, 'listening');
    await load.ready;
    log(`starting the shop (data in ${dataDir})`);
    const profiled = (process.env.BENCH_PROFILE ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const profileDir = process.env.BENCH_PROFILE_DIR ?? path.join(os.tmpdir(), 'minishop-bench-profiles');
    if (profiled.length > 0) {
      await fs.mkdir(profileDir, { recursive: true });
      log(`CPU profiles of ${profiled.join(', ')} go to ${profileDir} when the shop stops`);
      notes.push(
        `CPU-profiled run (${profiled.join(', ')}): profiling slows those processes; do not compare its numbers`,
      );
    }
    const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? '';
    if (nodeOptions) {
      log(`every service runs with NODE_OPTIONS=${nodeOptions} instead of the launcher's`);
      notes.push(
        `experiment: every service ran with NODE_OPTIONS=${nodeOptions} (not what \`npm start\` does)`,
      );
    }
    const withProfile = (name: string, env: Record<string, string> = {}) =>
      profiled.includes(name)
        ? {
            ...env,
            NODE_OPTIONS: [
              nodeOptions || launcherNodeOptions(name),
              `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-name=${name}.cpuprofile`,
            ]
              .join(' ')
              .trim(),
          }
        : env;
    stack = await startStack({
      dataDir,
      ports: 'free',
      quiet: true,
      persistent: false,
      seed: true,
      env: {
        MINISHOP_ENV: 'test',
        LOG_LEVEL: 'warn',
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
      componentEnv: {
        ...Object.fromEntries(profiled.map((name) => [name, withProfile(name)])),
        gateway: withProfile('gateway', { RATE_LIMIT_PER_MINUTE: '1000000000' }),
        auth: withProfile('auth', {
          LOGIN_MAX_ATTEMPTS_PER_IP: '1000000000',
          LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000000000',
        }),
        'mail-sink': withProfile('mail-sink', { MAX_MESSAGES: '1000000' }),
      },
    });
    void stack.exited.then((exit) => {
      const lines = exit.recentOutput.filter((line) => line.trim());
      crashed =
        `${exit.name} exited (code ${exit.code}, signal ${exit.signal}) during the run` +
        (exit.code === 0
          ? ': a clean stop, so something outside the benchmark sent it SIGTERM or SIGINT'
          : '') +
        (lines.length > 0 ? `. Its last lines:\n${lines.join('\n')}` : '');
      log(crashed);
    });
    log(`started ${stack.started.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    if (stack.missing.length) notes.push(`not started (no entry point yet): ${stack.missing.join(', ')}`);
    if (!stack.started.includes('gateway')) throw new Error('the gateway did not start; nothing to measure');
    if (stack.seed && 'error' in stack.seed)
      throw new Error(`seeding the demo catalog failed: ${stack.seed.error}`);

    const gateway = stack.urls.gateway;
    const watched = await watchedProcesses(stack, dataDir, [
      { name: 'baseline', pid: baseline.pid! },
      { name: 'loadgen', pid: load.child.pid! },
    ]);
    const rssIdle: Record<string, number> = {};
    for (const w of watched) {
      const bytes = w.tree ? undefined : rssBytes(w.pid);
      if (bytes) rssIdle[w.name] = round(bytes.rss / 1024 / 1024, 1);
    }

    // Fixtures: the seeded products to read, a customer for /auth/me and login.
    const { body: listed } = await api<Array<{ id: string }>>(gateway, 'GET', '/catalog/products?limit=20');
    const productIds = listed.map((p) => p.id);
    const [reader] = await registerUsers(gateway, runId, 'reader', 1);
    const readerName = `reader_${runId}_0`;

    const gatewayTarget = (
      method: 'GET' | 'POST',
      paths: string[],
      extra: Partial<HttpTarget> = {},
    ): HttpTarget => ({
      origin: gateway,
      method,
      paths,
      ...extra,
    });
    const scenarios: ScenarioReport[] = [];
    const diagnostics: ScenarioReport[] = [];

    const base = await measure(
      load,
      watched,
      {
        name: 'baseline GET / (bare node:http)',
        target: { origin: `http://127.0.0.1:${baselinePort}`, method: 'GET', paths: ['/'] },
        connections: 32,
        rateConnections: 64,
      },
      undefined,
    );
    scenarios.push(base);
    const baselineRps = base.requests_per_s;
    const alive = () => {
      if (crashed) throw new Error(crashed.split('\n')[0]);
    };
    const read = (spec: ScenarioSpec) => {
      alive();
      return measure(load, watched, spec, baselineRps);
    };
    let auditReport: Report['audit'] = null;
    let aborted: string | undefined;
    try {
      scenarios.push(
        await read({
          name: 'GET /catalog/products/{id} (gateway)',
          target: gatewayTarget(
            'GET',
            productIds.map((id) => `/catalog/products/${id}`),
          ),
          connections: 32,
          rateConnections: 64,
          cacheHitsFrom: stack.urls.management.gateway,
        }),
      );
      scenarios.push(
        await read({
          name: 'GET /catalog/products?limit=20 (gateway)',
          target: gatewayTarget('GET', ['/catalog/products?limit=20']),
          connections: 32,
          rateConnections: 64,
          cacheHitsFrom: stack.urls.management.gateway,
        }),
      );
      scenarios.push(
        await read({
          name: 'GET /auth/me (gateway, bearer token)',
          target: gatewayTarget('GET', ['/auth/me'], {
            headers: { authorization: `Bearer ${reader!.token}` },
          }),
          connections: 32,
          rateConnections: 64,
        }),
      );
      scenarios.push(
        await read({
          name: 'POST /auth/login (gateway)',
          target: gatewayTarget('POST', ['/auth/login'], {
            body: JSON.stringify({ username: readerName, password: PASSWORD }),
          }),
          connections: 8,
          rateConnections: 32,
        }),
      );

      // The checkout runs before the diagnostics: their bursts of direct Catalog and Auth queries would
      // still be reaching pg_stat_database (idle backends report every 10 s) when the checkout is counted.
      const checkoutParts = [
        'orders',
        'payments',
        'shipping',
        'notifications',
        'cart',
        'catalog',
        'payment-provider',
        'mail-sink',
      ];
      const absent = checkoutParts.filter(
        (name) =>
          !stack!.started.includes(name as never) ||
          !existsSync(
            path.join(REPO_ROOT, name.includes('-') ? 'tools' : 'services', name, 'src', 'main.ts'),
          ),
      );
      if (absent.length > 0) {
        const why = `checkout scenario skipped: ${absent.join(', ')} not running (no src/main.ts yet)`;
        notes.push(why);
        auditReport = { skipped: why };
        log(why);
      } else {
        alive();
        log('checkout fixtures: products with large stock, one with 5 units, customers');
        const admin = await login(gateway, stack.admin.email, stack.admin.password);
        const stockAtStart = new Map<string, number>();
        const checkoutProducts: string[] = [];
        for (let i = 0; i < 10; i++) {
          const id = await createProduct(
            gateway,
            admin,
            `Bench item ${runId}-${i}`,
            `${9 + i}.99`,
            CHECKOUT_STOCK,
          );
          checkoutProducts.push(id);
          stockAtStart.set(id, CHECKOUT_STOCK);
        }
        const contendedId = await createProduct(
          gateway,
          admin,
          `Bench last units ${runId}`,
          '49.00',
          CONTENDED_STOCK,
        );
        stockAtStart.set(contendedId, CONTENDED_STOCK);
        const users = await registerUsers(gateway, runId, 'buyer', CHECKOUT_USERS);
        const contenders = await registerUsers(gateway, runId, 'racer', CONTENDERS);
        const statsUrl = stack.databaseUrls.orders!;
        const databases = Object.values(stack.databaseUrls).map((url) => new URL(url).pathname.slice(1));
        const pgBefore = await pgActivity(statsUrl, databases);
        const checkout = await measureCheckout(
          load,
          watched,
          gateway,
          users,
          contenders,
          checkoutProducts,
          contendedId,
          baselineRps,
        );
        scenarios.push(checkout);
        log('audit: waiting for sagas, outboxes and email, then checking stock, charges, shipments, email');
        auditReport = await audit({
          databaseUrls: {
            orders: stack.databaseUrls.orders!,
            catalog: stack.databaseUrls.catalog!,
            shipping: stack.databaseUrls.shipping!,
            notifications: stack.databaseUrls.notifications!,
          },
          paymentProviderUrl: stack.urls.paymentProvider,
          paymentProviderSecretKey: stack.secrets.paymentProviderSecretKey,
          mailUrl: stack.urls.mailUi,
          products: stockAtStart,
        });
        for (const c of auditReport.checks) log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
        if (checkout.checkout) {
          // Statistics reach pg_stat_database within a second or so of each backend going idle.
          await new Promise((resolve) => setTimeout(resolve, 1500));
          const { max, rate, warmup_checkouts } = checkout.checkout;
          const total = warmup_checkouts + max.ok + rate.ok + (max.contention?.paid ?? 0);
          const names = new Map(
            Object.entries(stack.databaseUrls).map(([service, url]) => [
              new URL(url).pathname.slice(1),
              service,
            ]),
          );
          const work = perCheckout(pgBefore, await pgActivity(statsUrl, databases), total);
          checkout.checkout.postgres_per_checkout = Object.fromEntries(
            Object.entries(work).map(([db, w]) => [names.get(db) ?? db, w]),
          );
        }
      }

      // What the gateway hop alone costs: a second gateway whose catalog is the bare baseline server.
      const hop = await startHopGateway(stack, baselinePort);
      hopGateway = hop.child;
      diagnostics.push(
        await read({
          name: 'GET /catalog/products/{id} (gateway → bare node:http upstream: the hop alone)',
          target: {
            origin: hop.origin,
            method: 'GET',
            paths: productIds.map((id) => `/catalog/products/${id}`),
          },
          connections: 32,
          rateConnections: 64,
          maxOnly: true,
          extraWatched: [{ name: 'gateway (bare upstream)', pid: hop.child.pid! }],
        }),
      );
      hop.child.kill('SIGTERM');

      // The gateway may answer public reads from a short cache: the same read that always goes to Catalog.
      diagnostics.push(
        await read({
          name: 'GET /catalog/products/{id} (gateway, Cache-Control: no-cache, always forwarded)',
          target: gatewayTarget(
            'GET',
            productIds.map((id) => `/catalog/products/${id}`),
            { headers: { 'cache-control': 'no-cache' } },
          ),
          connections: 32,
          rateConnections: 64,
          maxOnly: true,
          cacheHitsFrom: stack.urls.management.gateway,
        }),
      );

      // Where does the time go: the same reads without the gateway hop.
      diagnostics.push(
        await read({
          name: 'GET /catalog/products/{id} (catalog directly, no gateway)',
          target: {
            origin: stack.urls.services.catalog,
            method: 'GET',
            paths: productIds.map((id) => `/catalog/products/${id}`),
          },
          connections: 32,
          rateConnections: 64,
          maxOnly: true,
        }),
      );
      diagnostics.push(
        await read({
          name: 'GET /auth/me (auth directly, no gateway)',
          target: {
            origin: stack.urls.services.auth,
            method: 'GET',
            paths: ['/auth/me'],
            headers: { authorization: `Bearer ${reader!.token}` },
          },
          connections: 32,
          rateConnections: 64,
          maxOnly: true,
        }),
      );
    } catch (error) {
      // A process of the shop died or a fixture could not be made: report what was measured so far.
      aborted = crashed ?? (error as Error).message;
      log(`run aborted: ${(error as Error).message}`);
      notes.push(
        `run aborted, the remaining scenarios were skipped: ${(error as Error).message.split('\n')[0]}`,
      );
    }

    // The baseline once more, now that everything else is done: ratios use the higher of the two, so
    // a baseline that happened to run next to other work cannot flatter the results.
    const baseSpec: ScenarioSpec = {
      name: 'baseline GET / (bare node:http), again at the end',
      target: { origin: `http://127.0.0.1:${baselinePort}`, method: 'GET', paths: ['/'] },
      connections: 32,
      rateConnections: 64,
      maxOnly: true,
    };
    const baseAgain = await measure(load, watched, baseSpec, undefined);
    const baselineUsed = Math.max(baselineRps, baseAgain.requests_per_s);
    const baseNoise = [base.other_cpu_cores.max, baseAgain.other_cpu_cores.max];
    if (baseNoise.every((cores) => cores > NOISE_CORES)) {
      notes.push(
        `both baseline measurements ran next to other work (${baseNoise.join(' and ')} cores): the baseline is ` +
          'low, so every ratio to it is too generous; run again on a quiet machine before trusting the ratio floors',
      );
    }
    for (const sc of [...scenarios, ...diagnostics]) {
      sc.ratio_to_baseline = round(sc.requests_per_s / baselineUsed, sc.name.startsWith('checkout') ? 4 : 3);
    }

    const rss: Record<string, number> = {};
    const rssAnon: Record<string, number> = {};
    for (const s of [...scenarios, ...diagnostics]) {
      for (const [name, u] of Object.entries(s.detail.usage)) {
        if (u.peak_rss_mb > 0) rss[name] = Math.max(rss[name] ?? 0, u.peak_rss_mb);
        if (u.peak_rss_anon_mb > 0) rssAnon[name] = Math.max(rssAnon[name] ?? 0, u.peak_rss_anon_mb);
      }
    }
    for (const sc of [...scenarios, ...diagnostics]) {
      const { max, fixed_rate } = sc.other_cpu_cores;
      if (max > NOISE_CORES || (fixed_rate ?? 0) > NOISE_CORES) {
        notes.push(
          `${sc.name}: other processes on the machine used ${max} cores during the maximum phase` +
            `${fixed_rate !== undefined ? ` and ${fixed_rate} during the fixed-rate phase` : ''}; its numbers are pessimistic`,
        );
      }
    }
    if (crashed) notes.push(crashed);
    const info = machine();
    const report: Report = {
      date: new Date().toISOString(),
      node: process.version,
      cpu_model: info.cpu_model,
      cores: info.cores,
      machine: info,
      phases: { max_seconds: MAX_S, fixed_rate_seconds: RATE_S, warmup_seconds: WARMUP_S },
      baseline_requests_per_s: baselineUsed,
      baseline_runs_requests_per_s: [baselineRps, baseAgain.requests_per_s],
      scenarios,
      diagnostics,
      rss_mb: rss,
      rss_anon_mb: rssAnon,
      rss_idle_mb: rssIdle,
      floors: [],
      floors_met: false,
      audit: auditReport,
      notes,
      started_components: [...stack.started],
      missing_components: [...stack.missing],
      total_seconds: 0,
    };
    report.floors = evaluateFloors(report);
    report.floors_met = report.floors.every((f) => f.met);
    report.total_seconds = Math.round((Date.now() - began) / 1000);
    await fs.writeFile(path.join(BENCH_DIR, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    await fs.writeFile(path.join(BENCH_DIR, 'report.md'), renderMarkdown(report));
    process.stdout.write(`\n${renderMarkdown(report)}\n`);
    log(`wrote bench/report.json and bench/report.md in ${report.total_seconds} s`);
    const missed = report.floors.filter((f) => !f.met);
    if (missed.length > 0) {
      log(`FLOORS MISSED (${missed.length}):`);
      for (const f of missed) log(`  ✘ ${f.name}: ${f.measured} (target ${f.target})`);
    } else {
      log('every floor met');
    }
    if (crashed || aborted) return 1;
    if (report.audit && 'ok' in report.audit && !report.audit.ok) {
      log('AUDIT FAILED');
      return 1;
    }
    return 0;
  } finally {
    load.stop();
    if (hopGateway && hopGateway.exitCode === null) hopGateway.kill('SIGTERM');
    if (baseline.exitCode === null) baseline.kill('SIGTERM');
    if (stack) await stack.stop().catch((error: Error) => log(`stopping the shop: ${error.message}`));
    await fs.rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`[bench] failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
