// The load generator, run as its own process so its CPU use is separate from the benchmark's
// bookkeeping and measurable. It takes one job at a time over IPC (see jobs.ts) and answers with
// the result and the CPU it used. Closed-loop maximum throughput uses autocannon; the fixed-rate
// phase and the checkouts use a small open-loop client on node:http keep-alive connections.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { buildRequest, RawPool } from './raw-client.ts';
import { Latencies } from './stats.ts';
import type {
  CheckoutJob,
  CheckoutResult,
  Job,
  JobResult,
  MaxJob,
  MaxResult,
  Outcome,
  RateJob,
  RateResult,
  ShopUser,
} from './jobs.ts';

const REQUEST_TIMEOUT_MS = 10_000;

interface Reply {
  status: number;
  body?: string;
}

class Client {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(origin: string, maxSockets: number) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    wantBody: boolean,
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method,
          path,
          headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (!wantBody) {
            res.on('end', () => resolve({ status }));
            res.on('error', reject);
            res.resume();
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function newOutcome(): Outcome {
  return { ok: 0, non2xx: 0, errors: 0, statuses: {} };
}

function count(outcome: Outcome, label: string | number, ok: boolean): void {
  outcome.statuses[label] = (outcome.statuses[label] ?? 0) + 1;
  if (ok) outcome.ok++;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

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

/** Calls `fire(i, due)` for i = 0..total-1 at start + i*interval, catching up in bursts if late. */
function schedule(total: number, rate: number, fire: (i: number, due: number) => void): number {
  const interval = 1000 / rate;
  const start = performance.now() + 5;
  let i = 0;
  const tick = () => {
    const now = performance.now();
    while (i < total && start + i * interval <= now) {
      fire(i, start + i * interval);
      i++;
    }
    if (i < total) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
  };
  setTimeout(tick, 5);
  return start;
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

const ADDRESS = {
  name: 'Load Tester',
  line1: '1 Benchmark Way',
  city: 'Springfield',
  postal_code: '12345',
  country: 'US',
};
const ORDER_BODY = JSON.stringify({ shipping_address: ADDRESS, payment_method: 'pm_card_visa' });

type Step = { ok: true; paid: boolean } | { ok: false; label: string; socket: boolean; status?: number };

async function checkoutOnce(
  client: Client,
  user: ShopUser,
  productId: string,
  orderMs: Latencies,
): Promise<Step> {
  const auth = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };
  let stage = 'cart';
  try {
    const add = await client.send(
      'POST',
      '/cart/items',
      auth,
      JSON.stringify({ product_id: productId, quantity: 1 }),
      false,
    );
    if (add.status !== 200) return await failed(client, user, `cart ${add.status}`, add.status);
    stage = 'orders';
    const began = performance.now();
    const order = await client.send(
      'POST',
      '/orders',
      { ...auth, 'idempotency-key': randomUUID() },
      ORDER_BODY,
      true,
    );
    orderMs.add(performance.now() - began);
    if (order.status !== 201) return await failed(client, user, `orders ${order.status}`, order.status);
    const status = (JSON.parse(order.body ?? '{}') as { status?: string }).status;
    return { ok: true, paid: status === 'paid' };
  } catch {
    await clearCart(client, user);
    return { ok: false, label: `${stage} socket error`, socket: true };
  }
}

async function failed(client: Client, user: ShopUser, label: string, status: number): Promise<Step> {
  await clearCart(client, user);
  return { ok: false, label, socket: false, status };
}

/** Leaves the user's cart empty after a failed checkout so the next one starts clean. */
async function clearCart(client: Client, user: ShopUser): Promise<void> {
  await client
    .send('DELETE', '/cart', { authorization: `Bearer ${user.token}` }, undefined, false)
    .catch(() => {});
}

async function contend(
  client: Client,
  users: ShopUser[],
  productId: string,
): Promise<NonNullable<CheckoutResult['contention']>> {
  const result = { attempts: 0, paid: 0, sold_out: 0, other: 0, statuses: {} as Record<string, number> };
  const unused = new Latencies();
  await Promise.all(
    users.map(async (user) => {
      // Each racer buys one unit at a time until the product is sold out.
      for (let tries = 0; tries < 20; tries++) {
        result.attempts++;
        const step = await checkoutOnce(client, user, productId, unused);
        const label = step.ok ? (step.paid ? 'orders 201 paid' : 'orders 201 unpaid') : step.label;
        result.statuses[label] = (result.statuses[label] ?? 0) + 1;
        if (step.ok && step.paid) {
          result.paid++;
          continue;
        }
        if (!step.ok && step.status === 409) result.sold_out++;
        else result.other++;
        return;
      }
    }),
  );
  return result;
}

async function runCheckout(job: CheckoutJob): Promise<CheckoutResult> {
  const client = new Client(job.gateway, job.users.length + (job.contention?.users.length ?? 0) + 8);
  const latencies = new Latencies();
  const orderMs = new Latencies();
  const outcome = newOutcome();
  let unpaid = 0;
  const pick = () => job.productIds[Math.floor(Math.random() * job.productIds.length)]!;
  const record = (step: Step, due: number) => {
    if (step.ok) {
      latencies.add(performance.now() - due);
      count(outcome, step.paid ? 'paid' : 'orders 201 not paid', step.paid);
      if (!step.paid) unpaid++;
    } else {
      if (step.socket) outcome.errors++;
      else outcome.non2xx++;
      count(outcome, step.label, false);
    }
  };

  const started = performance.now();
  let contention: Promise<CheckoutResult['contention']> = Promise.resolve(undefined);
  if (job.mode === 'max') {
    if (job.contention) contention = contend(client, job.contention.users, job.contention.productId);
    const deadline = started + job.durationS * 1000;
    await Promise.all(
      job.users.map(async (user) => {
        while (performance.now() < deadline) {
          const began = performance.now();
          record(await checkoutOnce(client, user, pick(), orderMs), began);
        }
      }),
    );
  } else {
    const rate = job.rate ?? 1;
    const total = Math.max(1, Math.round(rate * job.durationS));
    const free = [...job.users];
    const waiting: Array<(user: ShopUser) => void> = [];
    const acquire = () =>
      free.length > 0 ? Promise.resolve(free.pop()!) : new Promise<ShopUser>((r) => waiting.push(r));
    const release = (user: ShopUser) => {
      const next = waiting.shift();
      if (next) next(user);
      else free.push(user);
    };
    let finished = 0;
    await new Promise<void>((resolve) => {
      schedule(total, rate, (_i, due) => {
        void (async () => {
          const user = await acquire();
          try {
            record(await checkoutOnce(client, user, pick(), orderMs), due);
          } finally {
            release(user);
            if (++finished === total) resolve();
          }
        })();
      });
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const contended = await contention;
  client.close();
  return {
    kind: 'checkout',
    mode: job.mode,
    checkouts: outcome.ok,
    checkouts_per_s: r2(outcome.ok / seconds),
    duration_s: r2(seconds),
    ...(job.rate !== undefined ? { target_rate: job.rate } : {}),
    latency: latencies.summary(),
    order_latency: orderMs.summary(),
    unpaid,
    ...outcome,
    ...(contended ? { contention: contended } : {}),
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
