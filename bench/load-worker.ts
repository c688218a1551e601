// The load generator, run as its own process so its CPU use is separate from the benchmark's
// bookkeeping and measurable. It takes one job at a time over IPC (see jobs.ts) and answers with
// the result and the CPU it used. Closed-loop maximum throughput uses autocannon; the fixed-rate
// phase and the checkouts use a small client of our own on raw keep-alive connections.
import autocannon from 'autocannon';
import { buildRequest, RawPool } from './raw-client.ts';
import { Latencies } from './stats.ts';
import type { Job, JobResult, MaxJob, MaxResult, RateJob, RateResult } from './jobs.ts';
import { runCheckout } from './load-checkout.ts';
import { count, newOutcome, r2, REQUEST_TIMEOUT_MS, schedule } from './load-client.ts';

async function runMax(job: MaxJob): Promise<MaxResult> {
  const { target } = job;
  const options = {
    url: target.origin,
    method: target.method,
    headers: { ...target.headers, ...(target.body ? { 'content-type': 'application/json' } : {}) },
    body: target.body,
    requests: target.paths.map((path) => ({ path })),
    connections: job.connections,
    pipelining: 1,
    timeout: REQUEST_TIMEOUT_MS / 1000,
  };
  if (job.warmupS > 0) await autocannon({ ...options, duration: job.warmupS });
  const result = await autocannon({ ...options, duration: job.durationS });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats)) statuses[code] = stat.count;
  return {
    kind: 'max',
    requests_per_s: Math.round(result['2xx'] / result.duration),
    duration_s: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses,
    latency: {
      count: result.latency.total ?? result['2xx'],
      p50_ms: result.latency.p50,
      p90_ms: result.latency.p90,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
    },
  };
}

async function runRate(job: RateJob): Promise<RateResult> {
  const { target } = job;
  const url = new URL(target.origin);
  const pool = new RawPool(url.hostname, Number(url.port), job.connections);
  const headers = { ...target.headers, ...(target.body ? { 'content-type': 'application/json' } : {}) };
  const requests = target.paths.map((path) =>
    buildRequest(target.method, url.host, path, headers, target.body),
  );
  const total = Math.max(1, Math.round(job.rate * job.durationS));
  const latencies = new Latencies(total);
  const outcome = newOutcome();
  let finished = 0;
  let lastDone = 0;
  let start = 0;
  await new Promise<void>((resolve) => {
    const done = () => {
      lastDone = performance.now();
      if (++finished === total) {
        clearTimeout(giveUp);
        resolve();
      }
    };
    // Whatever has not been answered well after the schedule ended counts as failed.
    const giveUp = setTimeout(
      () => {
        const unanswered = total - finished;
        outcome.errors += unanswered;
        if (unanswered > 0) outcome.statuses['no answer'] = unanswered;
        finished = total;
        resolve();
      },
      job.durationS * 1000 + REQUEST_TIMEOUT_MS,
    );
    giveUp.unref();
    start = schedule(total, job.rate, (i, due) => {
      pool.submit({
        bytes: requests[i % requests.length]!,
        onDone: (status) => {
          if (finished >= total) return;
          latencies.add(performance.now() - due);
          const ok = status >= 200 && status < 300;
          if (!ok) outcome.non2xx++;
          count(outcome, status, ok);
          done();
        },
        onError: () => {
          if (finished >= total) return;
          outcome.errors++;
          count(outcome, 'socket error', false);
          done();
        },
      });
    });
  });
  pool.close();
  const seconds = Math.max(job.durationS, (lastDone - start) / 1000);
  return {
    kind: 'rate',
    target_rate: job.rate,
    achieved_rate: Math.round(total / seconds),
    duration_s: r2(seconds),
    latency: latencies.summary(),
    ...outcome,
  };
}

async function run(job: Job): Promise<JobResult> {
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const result =
    job.kind === 'max'
      ? await runMax(job)
      : job.kind === 'rate'
        ? await runRate(job)
        : await runCheckout(job);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - began) / 1000;
  return { ...result, loadgen_cpu_cores: r2((cpu.user + cpu.system) / 1e6 / seconds) };
}

export type WorkerMessage = { type: 'result'; result: JobResult } | { type: 'failed'; error: string };

process.on('message', (message: { type: 'job'; job: Job }) => {
  if (message.type !== 'job') return;
  run(message.job).then(
    (result) => process.send?.({ type: 'result', result } satisfies WorkerMessage),
    (error: Error) =>
      process.send?.({ type: 'failed', error: error.stack ?? error.message } satisfies WorkerMessage),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
