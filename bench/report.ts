// bench/report.md: the same facts as report.json, as tables a person can read.
import { SERVICE_NAMES, TOOL_NAMES } from '../tools/launcher/src/components.ts';
import type { Report, ScenarioReport } from './report-types.ts';

const CPU_COLUMNS = [
  'loadgen',
  'baseline',
  'gateway',
  'gateway (bare upstream)',
  ...SERVICE_NAMES.filter((name) => name !== 'gateway'),
  ...TOOL_NAMES,
  'postgres',
  'redis',
  'other',
  'machine',
];

function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const share = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v * 100)}%`);
const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(2));

function cpuRow(s: ScenarioReport, columns: string[]): Array<string | number> {
  return [s.name, ...columns.map((c) => (s.detail.cpu_cores[c] ?? 0).toFixed(2))];
}

/** Where and how the run was made. */
function header(report: Report, out: string[]): void {
  out.push('# Minishop benchmark');
  out.push('');
  out.push(
    `${report.date} · Node ${report.node} · ${report.cpu_model} · ${report.cores} cores · ` +
      `${report.machine.total_memory_mb} MB RAM · ${report.machine.os}`,
  );
  out.push('');
  out.push(
    `Each scenario: ${report.phases.warmup_seconds} s warm-up, ${report.phases.max_seconds} s at maximum throughput ` +
      `(closed loop, autocannon, pipelining 1), then ${report.phases.fixed_rate_seconds} s at a fixed rate of half that ` +
      'maximum (open loop; latency measured from when each request was due, so queueing is not hidden). ' +
      `Baseline: a bare node:http server, measured at the start and again at the end of the run ` +
      `(${report.baseline_runs_requests_per_s.join(' and ')} requests/s); ratios use the higher, ` +
      `${report.baseline_requests_per_s}. Run took ${report.total_seconds} s.`,
  );
  out.push('');
}

/** The scenarios held to floors. */
function results(report: Report, out: string[]): void {
  out.push('## Results');
  out.push('');
  out.push(
    table(
      ['scenario', 'requests/s (max)', '× baseline', 'fixed rate /s', 'p50 ms', 'p99 ms', 'errors', 'gateway cache'],
      report.scenarios.map((s) => [
        s.name,
        s.requests_per_s,
        s.ratio_to_baseline.toFixed(3),
        s.fixed_rate_per_s ?? '–',
        ms(s.p50_ms),
        ms(s.p99_ms),
        s.errors,
        share(s.gateway_cache_hit_share),
      ]),
    ),
  );
  out.push('');
  out.push(
    'gateway cache = share of the maximum phase the gateway answered from its short cache of public reads ' +
      '(the owning service allows it with Cache-Control: public, max-age).',
  );
  out.push('');
  out.push(
    'errors = answers other than 2xx plus socket errors and timeouts, over both phases. The checkout row counts ' +
      'checkouts (add to cart + place order with pm_card_visa), not requests; for it an order that was answered but ' +
      'not paid is an error too, while the 409s of the race for the last units are expected answers.',
  );
  out.push('');

}

/** Every floor and whether it was met. */
function floors(report: Report, out: string[]): void {
  out.push(`## Floors — ${report.floors_met ? 'all met' : `${report.floors.filter((f) => !f.met).length} missed`}`);
  out.push('');
  out.push(
    table(
      ['floor', 'target', 'measured', 'met'],
      report.floors.map((f) => [f.name, f.target, f.measured, f.met ? 'yes' : '**NO**']),
    ),
  );
  out.push('');

}

/** The checkout: both phases, outcomes, work per checkout, the race for the last units. */
function checkoutSection(report: Report, out: string[]): void {
  const checkout = report.scenarios.find((s) => s.checkout);
  if (checkout?.checkout) {
    const { max, rate } = checkout.checkout;
    const phaseRow = (label: string, phase: typeof max) => [
      label,
      phase.checkouts_per_s,
      `${ms(phase.latency.p50_ms)} / ${ms(phase.latency.p99_ms)}`,
      `${ms(phase.order_latency.p50_ms)} / ${ms(phase.order_latency.p99_ms)}`,
      phase.non2xx,
      phase.errors,
      phase.unpaid,
    ];
    out.push('## Checkout');
    out.push('');
    out.push(
      table(
        ['phase', 'checkouts/s', 'checkout p50 / p99 ms', 'POST /orders p50 / p99 ms', 'non-2xx', 'socket errors', 'unpaid'],
        [
          phaseRow(`max, ${checkout.connections} users in a loop`, max),
          phaseRow(`fixed rate ${rate.target_rate}/s`, rate),
        ],
      ),
    );
    out.push('');
    const statuses = (s: Record<string, number>) =>
      Object.entries(s)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
    out.push(`Outcomes, max phase: ${statuses(max.statuses)}. Fixed-rate phase: ${statuses(rate.statuses)}.`);
    const pg = checkout.checkout.postgres_per_checkout;
    if (pg) {
      out.push('');
      out.push(
        'PostgreSQL work per checkout, by service database (pg_stat_database, from before the maximum phase until ' +
          'the audit found everything settled, so relayed events, emails and webhooks are included):',
      );
      out.push('');
      out.push(
        table(
          ['database', 'transactions', 'statements', 'rows written', 'rows read'],
          Object.entries(pg).map(([db, w]) => [db, w.transactions, w.statements ?? '–', w.rows_written, w.rows_read]),
        ),
      );
      out.push('');
      out.push('Statements from pg_stat_statements, BEGIN and COMMIT included.');
    }
    const http = checkout.checkout.http_per_checkout;
    if (http && Object.keys(http).length > 0) {
      const rows = Object.entries(http).sort(([a], [b]) => a.localeCompare(b));
      const sum = rows.reduce((total, [, n]) => total + n, 0);
      out.push('');
      out.push(
        `HTTP requests per checkout answered by each service, by route (each service's /metrics, same span; ` +
          `${sum.toFixed(1)} in all, the two the customer sends included):`,
      );
      out.push('');
      out.push(table(['service and route', 'requests'], rows.map(([route, n]) => [route, n.toFixed(2)])));
    }
    const cpuMs = checkout.checkout.cpu_ms_per_checkout;
    if (cpuMs && Object.keys(cpuMs).length > 0) {
      const total = Object.entries(cpuMs)
        .filter(([name]) => !['loadgen', 'baseline', 'machine'].includes(name))
        .reduce((sum, [, v]) => sum + v, 0);
      out.push('');
      out.push(
        `CPU per checkout in the maximum phase, in ms (cores busy ÷ checkouts per second; the shop's processes ` +
          `together ${total.toFixed(1)} ms):`,
      );
      out.push('');
      const names = CPU_COLUMNS.filter((c) => cpuMs[c] !== undefined);
      out.push(table(names, [names.map((c) => cpuMs[c]!.toFixed(2))]));
    }
    if (max.contention) {
      const c = max.contention;
      out.push('');
      out.push(
        `Race for the last units (stock 5, several customers buying one at a time during the max phase): ` +
          `${c.attempts} attempts, ${c.paid} paid, ${c.sold_out} turned away with 409, ${c.other} other outcomes ` +
          `(${statuses(c.statuses)}). Expected answers, not errors.`,
      );
    }
    out.push('');
  }

}

/** What the audit found. */
function auditSection(report: Report, out: string[]): void {
  if (report.audit) {
    out.push('## Audit');
    out.push('');
    if ('skipped' in report.audit) {
      out.push(report.audit.skipped);
    } else {
      const a = report.audit;
      out.push(
        `${a.ok ? 'Clean.' : '**FAILED.**'} Orders by status: ${Object.entries(a.orders)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}. When the checkouts ended, ${a.backlog.unfinished_sagas} sagas were unfinished, ` +
          `${a.backlog.unrelayed_events} order events not yet relayed to Notifications and ` +
          `${a.backlog.unsent_emails} emails not yet sent; all settled ${(a.settle_ms / 1000).toFixed(1)} s later.`,
      );
      out.push('');
      out.push(
        table(
          ['check', 'result', 'detail'],
          a.checks.map((c) => [
            c.name,
            c.ok ? 'ok' : '**FAIL**',
            c.ok ? c.detail : `${c.detail}: ${(c.examples ?? []).join('; ')}`,
          ]),
        ),
      );
    }
    out.push('');
  }

}

/** CPU per process and scenario. */
function cpu(report: Report, out: string[]): void {
  out.push('## Where the CPU goes');
  out.push('');
  out.push(
    'CPU used by each process during the maximum-throughput phase, in cores (2.00 = both cores busy). ' +
      'postgres counts the server and its backends; other is whatever else ran on the machine meanwhile ' +
      '(it should be near 0); machine is everything.',
  );
  out.push('');
  const all = [...report.scenarios, ...report.diagnostics];
  const columns = CPU_COLUMNS.filter((c) => all.some((s) => (s.detail.cpu_cores[c] ?? 0) >= 0.01));
  out.push(table(['scenario', ...columns], all.map((s) => cpuRow(s, columns))));
  out.push('');

}

/** What the gateway hop costs. */
function diagnostics(report: Report, out: string[]): void {
  if (report.diagnostics.length > 0) {
    out.push('## What the gateway costs');
    out.push('');
    out.push(
      'Maximum-throughput phase only. The product read with Cache-Control: no-cache always goes on to Catalog; ' +
        'a second gateway whose catalog is the bare baseline server shows the hop alone; the same reads sent ' +
        'straight to Catalog and Auth show them without the hop.',
    );
    out.push('');
    out.push(
      table(
        ['scenario', 'requests/s', '× baseline', 'closed-loop p50 / p99 ms', 'errors', 'gateway cache'],
        report.diagnostics.map((s) => [
          s.name,
          s.requests_per_s,
          s.ratio_to_baseline.toFixed(3),
          `${ms(s.detail.max.latency.p50_ms)} / ${ms(s.detail.max.latency.p99_ms)}`,
          s.errors,
          share(s.gateway_cache_hit_share),
        ]),
      ),
    );
    out.push('');
  }

}

/** Memory per process, and the notes. */
function memoryAndNotes(report: Report, out: string[]): void {
  out.push('## Memory');
  out.push('');
  out.push(
    'Peak resident set size of each process over the whole run, sampled every 250 ms from /proc: VmRSS (the ' +
      'floor applies to it) and RssAnon, its private part without the pages of the node binary shared by all.',
  );
  out.push('');
  out.push(
    table(
      ['process', 'idle RSS MB', 'peak RSS MB', 'peak RssAnon MB'],
      Object.entries(report.rss_mb)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, mb]) => [name, report.rss_idle_mb[name] ?? '–', mb, report.rss_anon_mb[name] ?? '–']),
    ),
  );
  out.push('');
  if (report.notes.length > 0) {
    out.push('## Notes');
    out.push('');
    for (const note of report.notes) out.push(`- ${note.split('\n').join('\n  ')}`);
    out.push('');
  }
}

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  for (const section of [header, results, floors, checkoutSection, auditSection, cpu, diagnostics, memoryAndNotes]) {
    section(report, out);
  }
  return `${out.join('\n')}\n`;
}
