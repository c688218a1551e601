// What a run is judged by: throughput ratios to the bare baseline, p99 latencies at the fixed
// rate, errors, memory per service, and for the checkout its throughput, latency, database work,
// email backlog and the audit. A missed floor is reported, not fatal.
import type { Floor, Report, ScenarioReport } from './report-types.ts';
import { RSS_FLOOR_MB, SERVICES } from './settings.ts';

/** Checkouts per second per request per second of the baseline in the same run. */
const CHECKOUT_RATIO = 0.002;
const CHECKOUT_P99_MS = 100;
const ORDERS_TRANSACTIONS_PER_CHECKOUT = 8;
const EMAIL_SETTLE_MS = 2000;

function checkoutFloors(checkout: ScenarioReport, baselineRps: number): Floor[] {
  const floors: Floor[] = [
    {
      name: 'checkout: throughput',
      target: `≥ ${CHECKOUT_RATIO}× baseline (${Math.ceil(CHECKOUT_RATIO * baselineRps)} checkouts/s)`,
      measured: `${checkout.ratio_to_baseline.toFixed(4)}× (${checkout.requests_per_s} checkouts/s)`,
      met: checkout.requests_per_s >= CHECKOUT_RATIO * baselineRps,
    },
    {
      name: `checkout: p99 at ${checkout.fixed_rate_per_s}/s`,
      target: `< ${CHECKOUT_P99_MS} ms`,
      measured: `${checkout.p99_ms} ms`,
      met: (checkout.p99_ms ?? Infinity) < CHECKOUT_P99_MS,
    },
  ];
  const orders = checkout.checkout?.postgres_per_checkout?.orders;
  if (orders) {
    floors.push({
      name: 'checkout: transactions in the orders database per checkout',
      target: `≤ ${ORDERS_TRANSACTIONS_PER_CHECKOUT}`,
      measured: String(orders.transactions),
      met: orders.transactions <= ORDERS_TRANSACTIONS_PER_CHECKOUT,
    });
  }
  return floors;
}

export function evaluateFloors(report: Report): Floor[] {
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
  if (checkout) floors.push(...checkoutFloors(checkout, report.baseline_requests_per_s));
  if (report.audit && 'ok' in report.audit) {
    floors.push({
      name: 'checkout audit',
      target: 'clean',
      measured: report.audit.ok
        ? 'clean'
        : `${report.audit.checks.filter((c) => !c.ok).length} checks failed`,
      met: report.audit.ok,
    });
    const settled = report.audit.settled ? report.audit.settle_ms : Infinity;
    floors.push({
      name: 'checkout: every email settled after the last checkout',
      target: `≤ ${EMAIL_SETTLE_MS / 1000} s`,
      measured: report.audit.settled ? `${(settled / 1000).toFixed(1)} s` : 'not settled',
      met: settled <= EMAIL_SETTLE_MS,
    });
  }
  return floors;
}
