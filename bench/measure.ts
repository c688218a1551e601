// Measuring one scenario: a maximum-throughput phase (closed loop) and, unless it is a diagnostic,
// a fixed-rate phase at half that maximum, each sampled for the CPU and memory of every watched
// process, and measured again when other work on the machine disturbed it.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RunningStack } from '../tools/launcher/src/stack.ts';
import { metricsText } from './http-stats.ts';
import type { HttpTarget, Job, MaxResult, RateResult } from './jobs.ts';
import type { LoadGenerator } from './load-generator.ts';
import { machineBusySeconds, round, UsageSampler, type Usage, type Watched } from './proc.ts';
import type { ScenarioReport } from './report-types.ts';
import { log, MAX_S, NOISE_CORES, RATE_S, seconds, WARMUP_S } from './settings.ts';

export async function watchedProcesses(
  stack: RunningStack,
  dataDir: string,
  extra: Watched[],
): Promise<Watched[]> {
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
export async function waitForQuiet(): Promise<void> {
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
export async function sampled<T>(
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
  const text = await metricsText(gatewayManagementUrl);
  const match = /^minishop_gateway_cache_hits_total(?:\{[^}]*\})?\s+(\d+(?:\.\d+)?)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

export interface ScenarioSpec {
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

export async function measure(
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

export function mergeUsage(a: Record<string, Usage>, b: Record<string, Usage>): Record<string, Usage> {
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
