// One chaos round: fresh buyers and products, buyers checking out while processes fail, then
// everything brought back, the shop left to settle, and the audit run over this round's orders.
import type { RunningStack } from '../../tools/launcher/src/stack.ts';
import { audit, stackOf, type AuditReport } from '../audit.ts';
import { CRASH_POINTS, FaultInjector, type FaultLogEntry, type FaultProfile } from './faults.ts';
import { Rng } from './rng.ts';
import { call, emptyTally, shop, type Buyer, type ShopperTally } from './shopper.ts';

export type RoundKind = 'checkout' | 'crash-points' | 'refunds';

export interface RoundSpec {
  index: number;
  seed: number;
  kind: RoundKind;
  seconds: number;
  buyers: number;
  /** How long the audit waits for the round's orders to settle. */
  settleSeconds: number;
}

export interface Violation {
  round: number;
  seed: number;
  check: string;
  owner: string;
  detail: string;
  examples: string[];
}

export interface RoundReport {
  round: number;
  seed: number;
  kind: RoundKind;
  seconds: number;
  shoppers: ShopperTally;
  faults: ReturnType<FaultInjector['totals']>;
  fault_log: FaultLogEntry[];
  audit: Pick<AuditReport, 'ok' | 'settled' | 'settle_ms' | 'orders' | 'emails'>;
  violations: Violation[];
}

export interface RoundContext {
  stack: RunningStack;
  runId: string;
  say: (line: string) => void;
}

/** Who to tell about a broken invariant (the area that owns the code that keeps it). */
const OWNERS: Record<string, string> = {
  'no product oversold': 'saga (Catalog, Orders)',
  'stock conserved': 'saga (Catalog, Orders)',
  'at most one successful charge per order': 'saga (the charge fence in Orders)',
  'every paid order charged exactly its total': 'saga (Orders), pay (Payments)',
  'charged but unpaid orders refunded': 'saga (refunding in Orders), pay (Payments)',
  'exactly one shipment per paid order': 'saga (Orders), pay (Shipping)',
  'every order terminal': 'saga (Orders)',
  'every order announced its emails': 'pay (outbox), saga (Orders)',
  'every expected email sent': 'pay (Notifications)',
  'emails sent once, or as the documented rule allows': 'pay (Notifications)',
  'checkouts settled': 'saga (Orders), pay (outbox, Notifications)',
};
const SERVICE_OWNERS: Record<string, string> = {
  orders: 'saga',
  catalog: 'saga',
  payments: 'pay',
  shipping: 'pay',
  notifications: 'pay',
  gateway: 'edge',
  auth: 'edge',
  cart: 'edge',
  'payment-provider': 'chaos',
};

/** Every fifth round exercises refunds, every third arms crash points; the rest kill and freeze. */
export function kindOf(round: number): RoundKind {
  if (round % 5 === 0) return 'refunds';
  if (round % 3 === 0) return 'crash-points';
  return 'checkout';
}

/** How a round of each kind breaks things. */
function profileOf(kind: RoundKind, rng: Rng): FaultProfile {
  const base: FaultProfile = {
    gapMs: [600, 1800],
    downMs: [300, 2500],
    frozenMs: [500, 3500],
    killShare: 0.75,
    concurrent: 2,
    crashPoints: [],
  };
  if (kind === 'crash-points') {
    const first = rng.int(0, CRASH_POINTS.length - 1);
    return { ...base, crashPoints: [CRASH_POINTS[first]!, CRASH_POINTS[(first + 2) % CRASH_POINTS.length]!] };
  }
  if (kind === 'refunds') {
    // Orders or Payments frozen longer than a reservation lives: the stock returns and is sold to
    // someone else before the charged order can commit it, so the order must be refunded.
    return {
      ...base,
      frozenMs: [2500, 5000],
      killShare: 0.55,
      favourite: { targets: ['orders', 'payments', 'payment-provider'], share: 0.6 },
    };
  }
  return base;
}

async function adminToken(ctx: RoundContext): Promise<string> {
  const reply = await call(ctx.stack.urls.gateway, 'POST', '/auth/login', {
    body: { username: ctx.stack.admin.email, password: ctx.stack.admin.password },
  });
  const token = reply?.body?.access_token;
  if (reply?.status !== 200 || typeof token !== 'string')
    throw new Error(`admin login answered ${reply?.status}`);
  return token;
}

async function makeProducts(ctx: RoundContext, spec: RoundSpec, rng: Rng): Promise<Map<string, number>> {
  const token = await adminToken(ctx);
  const stocks = spec.kind === 'refunds' ? [6, 6, 8] : [10_000, 10_000, 10_000, 5];
  const products = new Map<string, number>();
  for (const [i, stock] of stocks.entries()) {
    const body = {
      name: `Chaos ${ctx.runId} r${spec.index} #${i}`,
      description: 'Made by the chaos suite.',
      price: `${rng.int(1, 60)}.${String(rng.int(0, 99)).padStart(2, '0')}`,
      stock,
    };
    const reply = await call(ctx.stack.urls.gateway, 'POST', '/catalog/products', { token, body });
    if (reply?.status !== 201) throw new Error(`creating a product answered ${reply?.status}`);
    products.set(String(reply.body!.id), stock);
  }
  return products;
}

async function makeBuyers(ctx: RoundContext, spec: RoundSpec): Promise<Buyer[]> {
  const gateway = ctx.stack.urls.gateway;
  const make = async (i: number): Promise<Buyer> => {
    const username = `chaos_${ctx.runId}_r${spec.index}_${i}`;
    const email = `${username}@chaos.minishop.test`;
    const password = 'chaos-password-1';
    const reg = await call(gateway, 'POST', '/auth/register', { body: { username, email, password } });
    if (reg?.status !== 201) throw new Error(`registering a buyer answered ${reg?.status}`);
    const login = await call(gateway, 'POST', '/auth/login', { body: { username, password } });
    if (login?.status !== 200) throw new Error(`a buyer's login answered ${login?.status}`);
    return { id: String(reg.body!.id), email, token: String(login.body!.access_token) };
  };
  return Promise.all(Array.from({ length: spec.buyers }, (_, i) => make(i)));
}

function violationsOf(report: AuditReport, spec: RoundSpec, unexplained: string[]): Violation[] {
  const found: Violation[] = report.checks
    .filter((c) => !c.ok)
    .map((c) => ({
      round: spec.index,
      seed: spec.seed,
      check: c.name,
      owner: OWNERS[c.name] ?? 'chaos',
      detail: c.detail,
      examples: c.examples ?? [],
    }));
  for (const exit of unexplained) {
    const service = exit.split(' ')[0]!;
    found.push({
      round: spec.index,
      seed: spec.seed,
      check: 'no process dies unless killed',
      owner: SERVICE_OWNERS[service] ?? 'chaos',
      detail: exit,
      examples: [],
    });
  }
  return found;
}

export async function runRound(ctx: RoundContext, spec: RoundSpec): Promise<RoundReport> {
  const rng = new Rng(spec.seed);
  const { stack } = ctx;
  if (spec.kind === 'refunds') {
    await stack.restart('catalog', {
      env: { RESERVATION_TTL_SECONDS: '2', RESERVATION_SWEEP_INTERVAL_MS: '500' },
    });
  }
  const products = await makeProducts(ctx, spec, rng);
  const buyers = await makeBuyers(ctx, spec);
  const buyerRngs = buyers.map((_, i) => rng.fork(`buyer-${i}`));
  const injector = new FaultInjector(stack, rng.fork('faults'), (line) => ctx.say(`  ${line}`));
  const until = Date.now() + spec.seconds * 1000;
  const tally = emptyTally();
  const plan = {
    gateway: stack.urls.gateway,
    productIds: [...products.keys()],
    declineRate: 0.2,
    cancelRate: spec.kind === 'refunds' ? 0.4 : 0.15,
    payAgainRate: 0.5,
    until,
  };
  try {
    await Promise.all([
      injector.run(until, profileOf(spec.kind, rng.fork('profile'))),
      ...buyers.map((buyer, i) => shop(plan, buyer, buyerRngs[i]!, tally)),
    ]);
    await injector.settle();
  } finally {
    injector.close();
  }
  const totals = injector.totals();
  const notificationsBroke =
    (totals.by_target.notifications?.kills ?? 0) + (totals.by_target.notifications?.crashes ?? 0) > 0;
  const report = await audit({
    ...stackOf(stack),
    products,
    userIds: buyers.map((b) => b.id),
    settleTimeoutMs: spec.settleSeconds * 1000,
    duplicateEmailsAllowed: notificationsBroke,
  });
  if (spec.kind === 'refunds') await stack.restart('catalog');
  return {
    round: spec.index,
    seed: spec.seed,
    kind: spec.kind,
    seconds: spec.seconds,
    shoppers: tally,
    faults: totals,
    fault_log: injector.log,
    audit: {
      ok: report.ok,
      settled: report.settled,
      settle_ms: report.settle_ms,
      orders: report.orders,
      emails: report.emails,
    },
    violations: violationsOf(report, spec, injector.unexplained),
  };
}
