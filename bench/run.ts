// `npm run bench`: starts the whole shop (fresh data, free ports) and a bare node:http server as the
// baseline, measures each scenario in two phases (maximum throughput, then latency at a fixed rate
// of half that maximum), runs the checkout scenario and audits its outcome, and writes
// bench/report.json and bench/report.md. Exits 1 when the audit fails or the run itself breaks
// (a process crashed, the stack did not start); a missed performance floor is reported, not fatal.
//
// The parts: bench-stack.ts (the shop as measured), measure.ts (one scenario), scenarios.ts (what
// is read), checkout-scenario.ts (checkouts, audit, work per checkout), assemble.ts and floors.ts
// (the report), load-generator.ts and load-worker.ts (the load).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunningStack } from '../tools/launcher/src/stack.ts';
import { assembleReport, writeReport, type Measured } from './assemble.ts';
import { describeCrash, startBenchStack } from './bench-stack.ts';
import { runCheckout } from './checkout-scenario.ts';
import { api, registerUsers } from './fixtures.ts';
import { startHopGateway } from './hop-gateway.ts';
import { forkTs, LoadGenerator, waitMessage } from './load-generator.ts';
import { measure, watchedProcesses } from './measure.ts';
import { enableStatementCounts } from './pg-stats.ts';
import { round, rssBytes, type Watched } from './proc.ts';
import type { Report } from './report-types.ts';
import { baselineSpec, directSpecs, hopSpec, readSpecs, type ReadFixtures } from './scenarios.ts';
import { log } from './settings.ts';

interface Run {
  stack: RunningStack;
  load: LoadGenerator;
  watched: Watched[];
  baselinePort: number;
  runId: string;
  notes: string[];
  /** Set when a process of the shop exits during the run. */
  crashed?: string;
  /** Set when a scenario could not be measured and the rest were skipped. */
  aborted?: boolean;
  hopGateway?: ChildProcess;
}

function idleMemory(watched: Watched[]): Record<string, number> {
  const rssIdle: Record<string, number> = {};
  for (const w of watched) {
    const bytes = w.tree ? undefined : rssBytes(w.pid);
    if (bytes) rssIdle[w.name] = round(bytes.rss / 1024 / 1024, 1);
  }
  return rssIdle;
}

async function readFixtures(run: Run): Promise<ReadFixtures> {
  const gateway = run.stack.urls.gateway;
  // The seeded products to read, a customer for /auth/me and login.
  const { body: listed } = await api<Array<{ id: string }>>(gateway, 'GET', '/catalog/products?limit=20');
  const [reader] = await registerUsers(gateway, run.runId, 'reader', 1);
  return {
    gateway,
    gatewayManagement: run.stack.urls.management.gateway,
    productIds: listed.map((p) => p.id),
    readerToken: reader!.token,
    readerName: `reader_${run.runId}_0`,
  };
}

/** The scenarios after the baseline, the checkout included; what was measured survives an abort. */
async function measureShop(
  run: Run,
  baselineRps: number,
  out: Pick<Measured, 'scenarios' | 'diagnostics' | 'audit'>,
) {
  const alive = () => {
    if (run.crashed) throw new Error(run.crashed.split('\n')[0]);
  };
  const read = async (spec: Parameters<typeof measure>[2]) => {
    alive();
    return measure(run.load, run.watched, spec, baselineRps);
  };
  // BENCH_ONLY=checkout: the baseline and the checkout alone, for comparing changes to the saga.
  const checkoutOnly = process.env.BENCH_ONLY === 'checkout';
  if (checkoutOnly) run.notes.push('BENCH_ONLY=checkout: the read scenarios and diagnostics were skipped');
  const fixtures = await readFixtures(run);
  if (!checkoutOnly) for (const spec of readSpecs(fixtures)) out.scenarios.push(await read(spec));
  // The checkout runs before the diagnostics: their bursts of direct Catalog and Auth queries would
  // still be reaching pg_stat_database (idle backends report every 10 s) when the checkout is counted.
  alive();
  const statements = await enableStatementCounts(run.stack.databaseUrls.orders!);
  const checkout = await runCheckout(run.load, run.watched, run.stack, run.runId, baselineRps, statements);
  if (checkout.scenario) out.scenarios.push(checkout.scenario);
  if ('skipped' in checkout.audit) run.notes.push(checkout.audit.skipped);
  out.audit = checkout.audit;
  if (checkoutOnly) return;

  // What the gateway hop alone costs: a second gateway whose catalog is the bare baseline server.
  const hop = await startHopGateway(run.stack, run.baselinePort);
  run.hopGateway = hop.child;
  out.diagnostics.push(await read(hopSpec(fixtures, hop.origin, hop.child.pid!)));
  hop.child.kill('SIGTERM');
  const { catalog, auth } = run.stack.urls.services;
  for (const spec of directSpecs(fixtures, { catalog, auth })) out.diagnostics.push(await read(spec));
}

async function measureAll(run: Run, began: number): Promise<Report> {
  const rssIdle = idleMemory(run.watched);
  const base = await measure(run.load, run.watched, baselineSpec(run.baselinePort), undefined);
  const out: Pick<Measured, 'scenarios' | 'diagnostics' | 'audit'> = {
    scenarios: [base],
    diagnostics: [],
    audit: null,
  };
  try {
    await measureShop(run, base.requests_per_s, out);
  } catch (error) {
    // A process of the shop died or a fixture could not be made: report what was measured so far.
    log(`run aborted: ${(error as Error).message}`);
    run.notes.push(
      `run aborted, the remaining scenarios were skipped: ${(error as Error).message.split('\n')[0]}`,
    );
    run.aborted = true;
  }
  // The baseline once more, now that everything else is done: the report uses the higher of the two.
  const baseAgain = await measure(run.load, run.watched, baselineSpec(run.baselinePort, true), undefined);
  if (run.crashed) run.notes.push(run.crashed);
  return assembleReport(
    {
      base,
      baseAgain,
      ...out,
      rssIdle,
      notes: run.notes,
      started: [...run.stack.started],
      missing: [...run.stack.missing],
    },
    began,
  );
}

async function main(): Promise<number> {
  const began = Date.now();
  const notes: string[] = [];
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-bench-'));
  const baseline = forkTs('baseline-server.ts');
  const load = new LoadGenerator();
  let run: Run | undefined;
  let stack: RunningStack | undefined;
  try {
    const { port: baselinePort } = await waitMessage<{ port: number }>(baseline, 'listening');
    await load.ready;
    log(`starting the shop (data in ${dataDir})`);
    stack = await startBenchStack(dataDir, notes);
    log(`started ${stack.started.join(', ')} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    if (stack.missing.length) notes.push(`not started (no entry point yet): ${stack.missing.join(', ')}`);
    if (!stack.started.includes('gateway')) throw new Error('the gateway did not start; nothing to measure');
    if (stack.seed && 'error' in stack.seed)
      throw new Error(`seeding the demo catalog failed: ${stack.seed.error}`);
    const watched = await watchedProcesses(stack, dataDir, [
      { name: 'baseline', pid: baseline.pid! },
      { name: 'loadgen', pid: load.child.pid! },
    ]);
    const current: Run = { stack, load, watched, baselinePort, runId: Date.now().toString(36), notes };
    run = current;
    void stack.exited.then((exit) => {
      current.crashed = describeCrash(exit);
      log(current.crashed);
    });
    const report = await measureAll(current, began);
    await writeReport(report);
    if (current.crashed || run.aborted) return 1;
    if (report.audit && 'ok' in report.audit && !report.audit.ok) {
      log('AUDIT FAILED');
      return 1;
    }
    return 0;
  } finally {
    load.stop();
    if (run?.hopGateway && run.hopGateway.exitCode === null) run.hopGateway.kill('SIGTERM');
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
