// From the measured scenarios to bench/report.json and bench/report.md: ratios to the higher of
// the two baseline runs, peak memory per process, notes on anything that disturbed the run, and
// the floors.
import fs from 'node:fs/promises';
import path from 'node:path';
import { evaluateFloors } from './floors.ts';
import { machine, round } from './proc.ts';
import type { Report, ScenarioReport } from './report-types.ts';
import { renderMarkdown } from './report.ts';
import { BENCH_DIR, log, MAX_S, NOISE_CORES, RATE_S, WARMUP_S } from './settings.ts';

export interface Measured {
  base: ScenarioReport;
  baseAgain: ScenarioReport;
  scenarios: ScenarioReport[];
  diagnostics: ScenarioReport[];
  rssIdle: Record<string, number>;
  audit: Report['audit'];
  notes: string[];
  started: string[];
  missing: string[];
}

function peakMemory(all: ScenarioReport[]) {
  const rss: Record<string, number> = {};
  const rssAnon: Record<string, number> = {};
  for (const s of all) {
    for (const [name, u] of Object.entries(s.detail.usage)) {
      if (u.peak_rss_mb > 0) rss[name] = Math.max(rss[name] ?? 0, u.peak_rss_mb);
      if (u.peak_rss_anon_mb > 0) rssAnon[name] = Math.max(rssAnon[name] ?? 0, u.peak_rss_anon_mb);
    }
  }
  return { rss, rssAnon };
}

/** Notes for phases that other work on the machine disturbed. */
function noiseNotes(m: Measured, all: ScenarioReport[]): string[] {
  const notes: string[] = [];
  const baseNoise = [m.base.other_cpu_cores.max, m.baseAgain.other_cpu_cores.max];
  if (baseNoise.every((cores) => cores > NOISE_CORES)) {
    notes.push(
      `both baseline measurements ran next to other work (${baseNoise.join(' and ')} cores): the baseline is ` +
        'low, so every ratio to it is too generous; run again on a quiet machine before trusting the ratio floors',
    );
  }
  for (const sc of all) {
    const { max, fixed_rate } = sc.other_cpu_cores;
    if (max > NOISE_CORES || (fixed_rate ?? 0) > NOISE_CORES) {
      notes.push(
        `${sc.name}: other processes on the machine used ${max} cores during the maximum phase` +
          `${fixed_rate !== undefined ? ` and ${fixed_rate} during the fixed-rate phase` : ''}; its numbers are pessimistic`,
      );
    }
  }
  return notes;
}

export function assembleReport(m: Measured, began: number): Report {
  // A baseline that happened to run next to other work cannot flatter the results: use the higher.
  const baselineUsed = Math.max(m.base.requests_per_s, m.baseAgain.requests_per_s);
  const all = [...m.scenarios, ...m.diagnostics];
  for (const sc of all) {
    sc.ratio_to_baseline = round(sc.requests_per_s / baselineUsed, sc.name.startsWith('checkout') ? 4 : 3);
  }
  const { rss, rssAnon } = peakMemory(all);
  const info = machine();
  const report: Report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu_model: info.cpu_model,
    cores: info.cores,
    machine: info,
    phases: { max_seconds: MAX_S, fixed_rate_seconds: RATE_S, warmup_seconds: WARMUP_S },
    baseline_requests_per_s: baselineUsed,
    baseline_runs_requests_per_s: [m.base.requests_per_s, m.baseAgain.requests_per_s],
    scenarios: m.scenarios,
    diagnostics: m.diagnostics,
    rss_mb: rss,
    rss_anon_mb: rssAnon,
    rss_idle_mb: m.rssIdle,
    floors: [],
    floors_met: false,
    audit: m.audit,
    notes: [...m.notes, ...noiseNotes(m, all)],
    started_components: m.started,
    missing_components: m.missing,
    total_seconds: 0,
  };
  report.floors = evaluateFloors(report);
  report.floors_met = report.floors.every((f) => f.met);
  report.total_seconds = Math.round((Date.now() - began) / 1000);
  return report;
}

export async function writeReport(report: Report): Promise<void> {
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
}
