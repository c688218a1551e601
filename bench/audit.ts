// After the checkouts: did anything go wrong with money, stock, shipments or email? Reads each
// service's database directly (read-only queries), the payment provider simulator's ledger and the
// mail sink. Any failed check fails the benchmark run.
import { createPool, type Pool } from '@minishop/kit/db';

export interface AuditInput {
  databaseUrls: { orders: string; catalog: string; shipping: string; notifications: string };
  paymentProviderUrl: string;
  paymentProviderSecretKey: string;
  mailUrl: string;
  /** Products the benchmark created, with the stock they started with. */
  products: Map<string, number>;
  /** How long to wait for sagas, outboxes and email deliveries to finish. */
  settleTimeoutMs?: number;
}

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** Up to ten examples of what failed. */
  examples?: string[];
}

export interface AuditReport {
  ok: boolean;
  settled: boolean;
  settle_ms: number;
  /** What was still in flight when the checkouts ended: sagas, events not yet relayed by Orders, emails not yet sent. */
  backlog: { unfinished_sagas: number; unrelayed_events: number; unsent_emails: number };
  orders: Record<string, number>;
  checks: AuditCheck[];
}

const PAID = ['paid', 'shipped', 'delivered'];

interface Intent {
  id: string;
  status: string;
  amount: number;
  amount_received: number;
  metadata: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function count(pool: Pool, sql: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql);
  return Number(rows[0]?.n ?? 0);
}

function check(name: string, offenders: string[], okDetail: string, failDetail: string): AuditCheck {
  return offenders.length === 0
    ? { name, ok: true, detail: okDetail }
    : { name, ok: false, detail: `${offenders.length} ${failDetail}`, examples: offenders.slice(0, 10) };
}

export async function audit(input: AuditInput): Promise<AuditReport> {
  const pools = {
    orders: createPool(input.databaseUrls.orders, { max: 2, applicationName: 'bench-audit' }),
    catalog: createPool(input.databaseUrls.catalog, { max: 2, applicationName: 'bench-audit' }),
    shipping: createPool(input.databaseUrls.shipping, { max: 2, applicationName: 'bench-audit' }),
    notifications: createPool(input.databaseUrls.notifications, { max: 2, applicationName: 'bench-audit' }),
  };
  try {
    // Sagas still running, events not yet relayed and mail not yet sent are not failures: wait.
    const began = Date.now();
    const deadline = began + (input.settleTimeoutMs ?? 60_000);
    let settled = false;
    let backlog: AuditReport['backlog'] | undefined;
    while (Date.now() < deadline) {
      const [unfinished, unrelayed, unsent] = await Promise.all([
        count(pools.orders, `select count(*) as n from orders where saga_step <> 'done'`),
        count(pools.orders, `select count(*) as n from outbox where delivered_at is null`),
        count(pools.notifications, `select count(*) as n from deliveries where status = 'pending'`),
      ]);
      backlog ??= { unfinished_sagas: unfinished, unrelayed_events: unrelayed, unsent_emails: unsent };
      if (unfinished + unrelayed + unsent === 0) {
        settled = true;
        break;
      }
      await sleep(500);
    }
    const settleMs = Date.now() - began;

    const { rows: orders } = await pools.orders.query<{ id: string; status: string; total_cents: string }>(
      'select id, status, total_cents from orders',
    );
    const byId = new Map(orders.map((o) => [o.id, o]));
    const statusCounts: Record<string, number> = {};
    for (const o of orders) statusCounts[o.status] = (statusCounts[o.status] ?? 0) + 1;
    const paid = orders.filter((o) => PAID.includes(o.status));
    const checks: AuditCheck[] = [];

    // 1. Stock: never below zero, never more sold than there was, and every unit accounted for.
    const ids = [...input.products.keys()];
    const { rows: stock } = await pools.catalog.query<{
      id: string;
      name: string;
      stock: number;
      committed: string;
      reserved: string;
    }>(
      `select p.id, p.name, p.stock,
              coalesce(sum(ri.quantity) filter (where r.status = 'committed'), 0) as committed,
              coalesce(sum(ri.quantity) filter (where r.status = 'reserved'), 0) as reserved
         from products p
         left join reservation_items ri on ri.product_id = p.id
         left join reservations r on r.order_id = ri.order_id
        where p.id = any($1::uuid[])
        group by p.id`,
      [ids],
    );
    const { rows: sold } = await pools.orders.query<{ product_id: string; units: string }>(
      `select oi.product_id, sum(oi.quantity) as units
         from order_items oi join orders o on o.id = oi.order_id
        where o.status = any($1::text[]) and oi.product_id = any($2::uuid[])
        group by oi.product_id`,
      [PAID, ids],
    );
    const soldBy = new Map(sold.map((s) => [s.product_id, Number(s.units)]));
    const oversold: string[] = [];
    const unbalanced: string[] = [];
    for (const p of stock) {
      const initial = input.products.get(p.id)!;
      const committed = Number(p.committed);
      const reserved = Number(p.reserved);
      const paidUnits = soldBy.get(p.id) ?? 0;
      if (p.stock < 0 || committed + reserved > initial || paidUnits > initial) {
        oversold.push(
          `${p.name}: started ${initial}, now ${p.stock}, committed ${committed}, reserved ${reserved}, in paid orders ${paidUnits}`,
        );
      }
      if (p.stock + committed + reserved !== initial) {
        unbalanced.push(
          `${p.name}: started ${initial} ≠ stock ${p.stock} + committed ${committed} + reserved ${reserved}`,
        );
      }
    }
    const totalSold = [...soldBy.values()].reduce((a, b) => a + b, 0);
    checks.push(
      check(
        'no product oversold',
        oversold,
        `${stock.length} products, ${totalSold} units in paid orders, none below zero or above its stock`,
        'products oversold',
      ),
      check(
        'stock conserved',
        unbalanced,
        'for every product: stock left + committed + still reserved = stock at start',
        'products whose units do not add up',
      ),
    );

    // 2. Money: at most one successful charge per order, exactly one for a paid order, for its total.
    const response = await fetch(`${input.paymentProviderUrl}/_sim/payment_intents?status=succeeded`, {
      headers: { authorization: `Bearer ${input.paymentProviderSecretKey}` },
    });
    if (!response.ok)
      throw new Error(`payment provider answered ${response.status} to /_sim/payment_intents`);
    const intents = ((await response.json()) as { data: Intent[] }).data;
    const charges = new Map<string, Intent[]>();
    for (const intent of intents) {
      const orderId = intent.metadata.order_id ?? '(no order id)';
      charges.set(orderId, [...(charges.get(orderId) ?? []), intent]);
    }
    const doubled = [...charges]
      .filter(([, list]) => list.length > 1)
      .map(
        ([orderId, list]) =>
          `order ${orderId}: ${list.length} successful charges (${list.map((i) => i.id).join(', ')})`,
      );
    checks.push(
      check(
        'at most one successful charge per order',
        doubled,
        `${intents.length} successful charges for ${charges.size} orders`,
        'orders charged more than once',
      ),
    );
    const wrongCharge: string[] = [];
    for (const o of paid) {
      const list = charges.get(o.id) ?? [];
      if (list.length === 0) wrongCharge.push(`order ${o.id} is ${o.status} without a successful charge`);
      else if (list.some((i) => i.amount_received !== Number(o.total_cents)))
        wrongCharge.push(
          `order ${o.id}: total ${o.total_cents} cents, charged ${list.map((i) => i.amount_received).join('+')}`,
        );
    }
    for (const [orderId] of charges) {
      const order = byId.get(orderId);
      if (!order || order.status === 'payment_failed' || order.status === 'pending')
        wrongCharge.push(`charged order ${orderId} is ${order ? order.status : 'missing'}`);
    }
    checks.push(
      check(
        'every paid order charged exactly its total',
        wrongCharge,
        `${paid.length} paid orders, each with one charge of its total; no charge on an unpaid order`,
        'orders whose charge does not match',
      ),
    );

    // 3. Shipping: exactly one shipment per paid order, none for the others.
    const { rows: shipments } = await pools.shipping.query<{ order_id: string; n: string }>(
      'select order_id, count(*) as n from shipments group by order_id',
    );
    const shipped = new Map(shipments.map((s) => [s.order_id, Number(s.n)]));
    const badShipments: string[] = [];
    for (const o of paid) {
      const n = shipped.get(o.id) ?? 0;
      if (n !== 1) badShipments.push(`paid order ${o.id} has ${n} shipments`);
    }
    for (const [orderId] of shipped) {
      const order = byId.get(orderId);
      if (!order || !PAID.includes(order.status))
        badShipments.push(`shipment for order ${orderId}, which is ${order ? order.status : 'missing'}`);
    }
    checks.push(
      check(
        'exactly one shipment per paid order',
        badShipments,
        `${shipments.length} shipments for ${paid.length} paid orders`,
        'orders with a wrong number of shipments',
      ),
    );

    // 4. Email: every order's OrderPlaced mail went out, once.
    const { rows: deliveries } = await pools.notifications.query<{ event_id: string; status: string }>(
      `select event_id, status from deliveries where type = 'OrderPlaced'`,
    );
    const mailed = new Map(deliveries.map((d) => [d.event_id, d.status]));
    const unmailed: string[] = [];
    for (const o of orders) {
      const status = mailed.get(`${o.id}:OrderPlaced`);
      if (status !== 'sent')
        unmailed.push(`order ${o.id}: OrderPlaced ${status ?? 'never reached Notifications'}`);
    }
    const search = await fetch(
      `${input.mailUrl}/api/v1/search?query=${encodeURIComponent('subject:received')}&limit=1`,
    );
    const inSink = search.ok ? ((await search.json()) as { messages_count: number }).messages_count : -1;
    if (inSink !== orders.length) {
      unmailed.push(`the mail sink holds ${inSink} "Order … received" emails for ${orders.length} orders`);
    }
    checks.push(
      check(
        'every order has its OrderPlaced email',
        unmailed,
        `${orders.length} OrderPlaced emails sent (delivery log) and ${inSink} in the mail sink`,
        'problems with OrderPlaced emails',
      ),
    );

    if (!settled) {
      checks.push({
        name: 'checkouts settled',
        ok: false,
        detail: `sagas, outbox or email deliveries still unfinished after ${Math.round(settleMs / 1000)} s`,
      });
    }
    return {
      ok: checks.every((c) => c.ok),
      settled,
      settle_ms: settleMs,
      backlog: backlog ?? { unfinished_sagas: 0, unrelayed_events: 0, unsent_emails: 0 },
      orders: statusCounts,
      checks,
    };
  } finally {
    await Promise.all(Object.values(pools).map((p) => p.end()));
  }
}
