// After the checkouts: did anything go wrong with money, stock, shipments, order states or email?
// Waits for the shop to settle, then reads each service's database directly (read-only queries),
// the payment provider simulator's ledger and the mail sink, and runs the checks of
// audit-checks.ts. The benchmark and the chaos suite both use it; any failed check fails them.
import { createPool, type Pool } from '@minishop/kit/db';
import type { RunningStack } from '../tools/launcher/src/stack.ts';
import {
  chargeChecks,
  emailChecks,
  shipmentCheck,
  stockChecks,
  terminalCheck,
  type AuditCheck,
  type AuditData,
  type ChargeState,
  type EmailCounts,
} from './audit-checks.ts';

export type { AuditCheck } from './audit-checks.ts';

export interface AuditInput {
  databaseUrls: { orders: string; catalog: string; shipping: string; notifications: string };
  paymentProviderUrl: string;
  paymentProviderSecretKey: string;
  mailUrl: string;
  /** Products to check, with the stock they started with. */
  products: Map<string, number>;
  /** Audit only the orders of these users (default: every order). */
  userIds?: string[];
  /** How long to wait for sagas, outboxes and email deliveries to finish. */
  settleTimeoutMs?: number;
  /** Whether the documented rule allows an email to be sent twice in this run (Notifications was killed). */
  duplicateEmailsAllowed?: boolean;
  /** The domain of the shop's sender address (default minishop.local, as the launcher sets it). */
  mailDomain?: string;
}

/** Where the audit reads a running stack: its databases, the provider's ledger and the mail sink. */
export function stackOf(stack: RunningStack) {
  return {
    databaseUrls: {
      orders: stack.databaseUrls.orders!,
      catalog: stack.databaseUrls.catalog!,
      shipping: stack.databaseUrls.shipping!,
      notifications: stack.databaseUrls.notifications!,
    },
    paymentProviderUrl: stack.urls.paymentProvider,
    paymentProviderSecretKey: stack.secrets.paymentProviderSecretKey,
    mailUrl: stack.urls.mailUi,
  };
}

export interface AuditReport {
  ok: boolean;
  settled: boolean;
  settle_ms: number;
  /** What was still in flight when the checkouts ended: sagas, events not yet relayed by Orders, emails not yet sent. */
  backlog: { unfinished_sagas: number; unrelayed_events: number; unsent_emails: number };
  orders: Record<string, number>;
  emails: EmailCounts;
  checks: AuditCheck[];
}

interface Pools {
  orders: Pool;
  catalog: Pool;
  shipping: Pool;
  notifications: Pool;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Unfinished work of the audited orders: sagas, outbox events not relayed, emails not yet sent.
 * It reads only what is unfinished (the partial indexes the services keep for their own loops), so
 * polling it while the last checkouts settle adds next to nothing to the work counted per checkout.
 */
async function backlogOf(pools: Pools, userIds: string[] | undefined): Promise<AuditReport['backlog']> {
  const scope = userIds ? 'and o.user_id = any($1::uuid[])' : 'and $1::uuid[] is null';
  const params = [userIds ?? null];
  const [{ rows: sagas }, { rows: events }, { rows: pending }] = await Promise.all([
    pools.orders.query<{ n: string }>(
      `select count(*) as n from orders o where o.saga_step <> 'done' ${scope}`,
      params,
    ),
    pools.orders.query<{ n: string }>(
      `select count(*) as n from outbox x join orders o on o.id = x.order_id
        where x.state = 'pending' ${scope}`,
      params,
    ),
    pools.notifications.query<{ event_id: string }>(
      `select event_id from deliveries where status = 'pending'`,
    ),
  ]);
  // An order's event ids begin with the order's id: keep the unsent emails of audited orders.
  let unsent = pending.length;
  if (userIds && unsent > 0) {
    const { rows } = await pools.orders.query<{ n: string }>(
      `select count(*) as n from unnest($2::text[]) e(event_id)
         join orders o on o.id::text = split_part(e.event_id, ':', 1) ${scope}`,
      [userIds, pending.map((d) => d.event_id)],
    );
    unsent = Number(rows[0]?.n ?? 0);
  }
  return {
    unfinished_sagas: Number(sagas[0]?.n ?? 0),
    unrelayed_events: Number(events[0]?.n ?? 0),
    unsent_emails: unsent,
  };
}

/** Waits until none of the audited orders has unfinished work (or the time is up). */
async function settle(pools: Pools, userIds: string[] | undefined, timeoutMs: number) {
  const began = Date.now();
  let backlog: AuditReport['backlog'] | undefined;
  while (Date.now() - began < timeoutMs) {
    const now = await backlogOf(pools, userIds);
    backlog ??= now;
    if (now.unfinished_sagas + now.unrelayed_events + now.unsent_emails === 0) {
      return { settled: true, backlog, ms: Date.now() - began };
    }
    await sleep(500);
  }
  return { settled: false, backlog: backlog!, ms: Date.now() - began };
}

async function readProducts(pools: Pools, products: Map<string, number>): Promise<AuditData['products']> {
  const { rows } = await pools.catalog.query<{
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
    [[...products.keys()]],
  );
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    initial: products.get(p.id)!,
    stock: p.stock,
    committed: Number(p.committed),
    reserved: Number(p.reserved),
  }));
}

async function readOrders(pools: Pools, input: AuditInput) {
  const scope = input.userIds ? 'where o.user_id = any($1::uuid[])' : 'where $1::uuid[] is null';
  const params = [input.userIds ?? null];
  const { rows: orders } = await pools.orders.query<{
    id: string;
    status: string;
    total_cents: string;
    saga_step: string;
  }>(`select o.id, o.status, o.total_cents, o.saga_step from orders o ${scope}`, params);
  const { rows: sold } = await pools.orders.query<{ product_id: string; units: string }>(
    `select oi.product_id, sum(oi.quantity) as units
       from order_items oi join orders o on o.id = oi.order_id
      ${scope} and o.status in ('paid', 'shipped', 'delivered')
      group by oi.product_id`,
    params,
  );
  const { rows: events } = await pools.orders.query<{ event_id: string; order_id: string; type: string }>(
    `select x.event_id, x.order_id, x.type from outbox x join orders o on o.id = x.order_id ${scope}`,
    params,
  );
  return {
    orders: orders.map((o) => ({ ...o, total_cents: Number(o.total_cents) })),
    soldUnits: new Map(
      sold.filter((s) => input.products.has(s.product_id)).map((s) => [s.product_id, Number(s.units)]),
    ),
    events,
  };
}

async function readCharges(input: AuditInput, orderIds: Set<string>): Promise<ChargeState[]> {
  const response = await fetch(`${input.paymentProviderUrl}/_sim/payment_intents?status=succeeded`, {
    headers: { authorization: `Bearer ${input.paymentProviderSecretKey}` },
  });
  if (!response.ok) throw new Error(`payment provider answered ${response.status} to /_sim/payment_intents`);
  const { data } = (await response.json()) as {
    data: Array<{
      id: string;
      amount_received: number;
      amount_refunded?: number;
      metadata: Record<string, string>;
    }>;
  };
  return data
    .map((i) => ({
      id: i.id,
      order_id: i.metadata.order_id ?? '(no order id)',
      amount_received: i.amount_received,
      amount_refunded: i.amount_refunded ?? 0,
    }))
    .filter((c) => !input.userIds || orderIds.has(c.order_id));
}

async function readMail(mailUrl: string): Promise<AuditData['mail']> {
  const response = await fetch(`${mailUrl}/api/v1/messages?limit=100000`);
  if (!response.ok) throw new Error(`the mail sink answered ${response.status} to /api/v1/messages`);
  const { messages } = (await response.json()) as { messages: Array<{ MessageID: string }> };
  return messages.map((m) => ({ message_id: m.MessageID }));
}

async function gather(pools: Pools, input: AuditInput): Promise<AuditData> {
  const [products, orderData, mail] = await Promise.all([
    readProducts(pools, input.products),
    readOrders(pools, input),
    readMail(input.mailUrl),
  ]);
  const ids = orderData.orders.map((o) => o.id);
  const [charges, { rows: shipments }, { rows: deliveries }] = await Promise.all([
    readCharges(input, new Set(ids)),
    pools.shipping.query<{ order_id: string; status: string }>(
      'select order_id, status from shipments where order_id = any($1::uuid[])',
      [ids],
    ),
    pools.notifications.query<{ event_id: string; status: string }>(
      'select event_id, status from deliveries where event_id = any($1::text[])',
      [orderData.events.map((e) => e.event_id)],
    ),
  ]);
  const byOrder = new Map<string, string[]>();
  for (const s of shipments) byOrder.set(s.order_id, [...(byOrder.get(s.order_id) ?? []), s.status]);
  return {
    products,
    ...orderData,
    charges,
    shipments: byOrder,
    deliveries: new Map(deliveries.map((d) => [d.event_id, d.status])),
    mail,
    mailDomain: input.mailDomain ?? 'minishop.local',
  };
}

export async function audit(input: AuditInput): Promise<AuditReport> {
  const open = (url: string) => createPool(url, { max: 2, applicationName: 'audit' });
  const pools: Pools = {
    orders: open(input.databaseUrls.orders),
    catalog: open(input.databaseUrls.catalog),
    shipping: open(input.databaseUrls.shipping),
    notifications: open(input.databaseUrls.notifications),
  };
  try {
    // Sagas still running, events not yet relayed and mail not yet sent are not failures: wait.
    const settled = await settle(pools, input.userIds, input.settleTimeoutMs ?? 60_000);
    const data = await gather(pools, input);
    const email = emailChecks(data, input.duplicateEmailsAllowed ?? false);
    const checks = [
      ...stockChecks(data),
      ...chargeChecks(data),
      shipmentCheck(data),
      terminalCheck(data),
      ...email.checks,
    ];
    if (!settled.settled) {
      checks.push({
        name: 'checkouts settled',
        ok: false,
        detail: `sagas, outbox or email deliveries still unfinished after ${Math.round(settled.ms / 1000)} s`,
      });
    }
    const statusCounts: Record<string, number> = {};
    for (const o of data.orders) statusCounts[o.status] = (statusCounts[o.status] ?? 0) + 1;
    return {
      ok: checks.every((c) => c.ok),
      settled: settled.settled,
      settle_ms: settled.ms,
      backlog: settled.backlog,
      orders: statusCounts,
      emails: email.emails,
      checks,
    };
  } finally {
    await Promise.all(Object.values(pools).map((p) => p.end()));
  }
}
