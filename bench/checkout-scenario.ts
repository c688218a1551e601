// The checkout scenario: customers put products in their carts and check out through the
// gateway (with a few racing for the last units of one product), at maximum throughput and then
// at a fixed rate. Afterwards the audit checks what the checkouts left behind, and the work per
// checkout is reported: CPU of every process and transactions and statements of every database.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, type RunningStack } from '../tools/launcher/src/stack.ts';
import { audit, stackOf, type AuditReport } from './audit.ts';
import { createProduct, login, registerUsers } from './fixtures.ts';
import type { CheckoutResult, MaxResult, ShopUser } from './jobs.ts';
import type { LoadGenerator } from './load-generator.ts';
import { httpActivity, requestsPerCheckout } from './http-stats.ts';
import { mergeUsage, sampled } from './measure.ts';
import { pgActivity, perCheckout } from './pg-stats.ts';
import { round, type Usage, type Watched } from './proc.ts';
import type { ScenarioReport } from './report-types.ts';
import {
  CHECKOUT_STOCK,
  CHECKOUT_USERS,
  CONTENDED_STOCK,
  CONTENDERS,
  log,
  MAX_S,
  RATE_S,
  WARMUP_S,
} from './settings.ts';

const CHECKOUT_PARTS = [
  'orders',
  'payments',
  'shipping',
  'notifications',
  'cart',
  'catalog',
  'payment-provider',
  'mail-sink',
];

export interface CheckoutOutcome {
  scenario?: ScenarioReport;
  audit: AuditReport | { skipped: string };
}

async function measureCheckout(
  load: LoadGenerator,
  watched: Watched[],
  gateway: string,
  fixtures: CheckoutFixtures,
  baselineRps: number,
): Promise<ScenarioReport> {
  const { users, contenders, productIds, contendedId } = fixtures;
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
    checkout: {
      max,
      rate,
      warmup_checkouts: warmupCheckouts,
      cpu_ms_per_checkout: cpuPerCheckout(maxUsage, max.checkouts_per_s),
    },
  };
}

interface CheckoutFixtures {
  users: ShopUser[];
  contenders: ShopUser[];
  productIds: string[];
  contendedId: string;
  stockAtStart: Map<string, number>;
}

async function makeFixtures(stack: RunningStack, runId: string): Promise<CheckoutFixtures> {
  log('checkout fixtures: products with large stock, one with 5 units, customers');
  const gateway = stack.urls.gateway;
  const admin = await login(gateway, stack.admin.email, stack.admin.password);
  const stockAtStart = new Map<string, number>();
  const productIds: string[] = [];
  for (let i = 0; i < 10; i++) {
    const id = await createProduct(gateway, admin, `Bench item ${runId}-${i}`, `${9 + i}.99`, CHECKOUT_STOCK);
    productIds.push(id);
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
  return { users, contenders, productIds, contendedId, stockAtStart };
}

/** CPU per checkout of each process in the maximum phase: cores busy ÷ checkouts per second. */
function cpuPerCheckout(usage: Record<string, Usage>, checkoutsPerS: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (checkoutsPerS <= 0) return out;
  for (const [name, u] of Object.entries(usage)) {
    if (name === 'other' || u.cpu_cores <= 0) continue;
    out[name] = round((u.cpu_cores * 1000) / checkoutsPerS, 2);
  }
  return out;
}

/** Checkouts, then the audit and the per-checkout work; skipped while a part of the checkout is missing. */
export async function runCheckout(
  load: LoadGenerator,
  watched: Watched[],
  stack: RunningStack,
  runId: string,
  baselineRps: number,
  statements: boolean,
): Promise<CheckoutOutcome> {
  const absent = CHECKOUT_PARTS.filter(
    (name) =>
      !stack.started.includes(name as never) ||
      !existsSync(path.join(REPO_ROOT, name.includes('-') ? 'tools' : 'services', name, 'src', 'main.ts')),
  );
  if (absent.length > 0) {
    const why = `checkout scenario skipped: ${absent.join(', ')} not running (no src/main.ts yet)`;
    log(why);
    return { audit: { skipped: why } };
  }
  const fixtures = await makeFixtures(stack, runId);
  const statsUrl = stack.databaseUrls.orders!;
  const databases = Object.values(stack.databaseUrls).map((url) => new URL(url).pathname.slice(1));
  const pgBefore = await pgActivity(statsUrl, databases, statements);
  const httpBefore = await httpActivity(stack.urls.management);
  const scenario = await measureCheckout(load, watched, stack.urls.gateway, fixtures, baselineRps);
  log('audit: waiting for sagas, outboxes and email, then checking stock, charges, shipments, email');
  const report = await audit({
    ...stackOf(stack),
    products: fixtures.stockAtStart,
  });
  for (const c of report.checks) log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  // Statistics reach pg_stat_database within a second or so of each backend going idle.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { max, rate, warmup_checkouts } = scenario.checkout!;
  const total = warmup_checkouts + max.ok + rate.ok + (max.contention?.paid ?? 0);
  const names = new Map(
    Object.entries(stack.databaseUrls).map(([service, url]) => [new URL(url).pathname.slice(1), service]),
  );
  const work = perCheckout(pgBefore, await pgActivity(statsUrl, databases, statements), total);
  scenario.checkout!.http_per_checkout = requestsPerCheckout(
    httpBefore,
    await httpActivity(stack.urls.management),
    total,
  );
  scenario.checkout!.postgres_per_checkout = Object.fromEntries(
    Object.entries(work).map(([db, w]) => [names.get(db) ?? db, w]),
  );
  return { scenario, audit: report };
}
