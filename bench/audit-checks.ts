// The audit's invariants as pure functions over what was read from the databases, the payment
// provider and the mail sink: each returns a check that holds or names what broke it. Kept apart
// from the reading so that a test can plant a violation and see it caught.
import { createHash } from 'node:crypto';

export interface AuditCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** Up to ten examples of what failed. */
  examples?: string[];
}

export interface ProductState {
  id: string;
  name: string;
  initial: number;
  stock: number;
  committed: number;
  reserved: number;
}

export interface OrderState {
  id: string;
  status: string;
  total_cents: number;
  saga_step: string;
}

export interface ChargeState {
  id: string;
  order_id: string;
  amount_received: number;
  amount_refunded: number;
}

export interface MailCopy {
  message_id: string;
}

/** Everything the checks look at, for the orders and products under audit. */
export interface AuditData {
  products: ProductState[];
  orders: OrderState[];
  /** Units of each product in paid (or later) orders. */
  soldUnits: Map<string, number>;
  /** Successful charges at the provider, whatever their order's state. */
  charges: ChargeState[];
  /** Shipments by order id, with their status. */
  shipments: Map<string, string[]>;
  /** Events Orders wrote for its orders (the emails it promised): event id → order id and type. */
  events: Array<{ event_id: string; order_id: string; type: string }>;
  /** Notifications' delivery status by event id. */
  deliveries: Map<string, string>;
  /** Every message in the mail sink. */
  mail: MailCopy[];
  /** The domain of the shop's sender address (part of each email's Message-ID). */
  mailDomain: string;
}

export interface EmailCounts {
  expected: number;
  sent: number;
  /** Emails that reached the mail sink more than once (extra copies). */
  duplicates: number;
}

export const PAID = ['paid', 'shipped', 'delivered'];
export const TERMINAL = ['paid', 'shipped', 'delivered', 'payment_failed', 'cancelled'];

export function check(name: string, offenders: string[], okDetail: string, failDetail: string): AuditCheck {
  return offenders.length === 0
    ? { name, ok: true, detail: okDetail }
    : { name, ok: false, detail: `${offenders.length} ${failDetail}`, examples: offenders.slice(0, 10) };
}

/** No product below zero or sold beyond its stock, and every unit accounted for. */
export function stockChecks(data: AuditData): AuditCheck[] {
  const oversold: string[] = [];
  const unbalanced: string[] = [];
  for (const p of data.products) {
    const paidUnits = data.soldUnits.get(p.id) ?? 0;
    if (p.stock < 0 || p.committed + p.reserved > p.initial || paidUnits > p.initial) {
      oversold.push(
        `${p.name}: started ${p.initial}, now ${p.stock}, committed ${p.committed}, reserved ${p.reserved}, in paid orders ${paidUnits}`,
      );
    }
    if (p.stock + p.committed + p.reserved !== p.initial) {
      unbalanced.push(
        `${p.name}: started ${p.initial} ≠ stock ${p.stock} + committed ${p.committed} + reserved ${p.reserved}`,
      );
    }
  }
  const totalSold = [...data.soldUnits.values()].reduce((a, b) => a + b, 0);
  return [
    check(
      'no product oversold',
      oversold,
      `${data.products.length} products, ${totalSold} units in paid orders, none below zero or above its stock`,
      'products oversold',
    ),
    check(
      'stock conserved',
      unbalanced,
      'for every product: stock left + committed + still reserved = stock at start',
      'products whose units do not add up',
    ),
  ];
}

/**
 * At most one successful charge per order; a paid order has exactly one, of its total, not
 * refunded; an order that is not paid has every charge refunded in full.
 */
export function chargeChecks(data: AuditData): AuditCheck[] {
  const byOrder = new Map<string, ChargeState[]>();
  for (const c of data.charges) byOrder.set(c.order_id, [...(byOrder.get(c.order_id) ?? []), c]);
  const orders = new Map(data.orders.map((o) => [o.id, o]));
  const doubled = [...byOrder]
    .filter(([, list]) => list.length > 1)
    .map(
      ([id, list]) => `order ${id}: ${list.length} successful charges (${list.map((c) => c.id).join(', ')})`,
    );
  const wrong: string[] = [];
  const unrefunded: string[] = [];
  let refunded = 0;
  for (const o of data.orders.filter((order) => PAID.includes(order.status))) {
    const list = byOrder.get(o.id) ?? [];
    if (list.length === 0) wrong.push(`order ${o.id} is ${o.status} without a successful charge`);
    else if (list.some((c) => c.amount_received !== o.total_cents || c.amount_refunded > 0))
      wrong.push(
        `order ${o.id}: total ${o.total_cents} cents, charged ${list.map((c) => `${c.amount_received} (refunded ${c.amount_refunded})`).join(' + ')}`,
      );
  }
  for (const [orderId, list] of byOrder) {
    const order = orders.get(orderId);
    if (order && PAID.includes(order.status)) continue;
    for (const c of list) {
      if (c.amount_refunded === c.amount_received) refunded++;
      else
        unrefunded.push(
          `order ${orderId} is ${order?.status ?? 'missing'}: charge ${c.id} of ${c.amount_received} refunded ${c.amount_refunded}`,
        );
    }
  }
  const paid = data.orders.filter((o) => PAID.includes(o.status)).length;
  return [
    check(
      'at most one successful charge per order',
      doubled,
      `${data.charges.length} successful charges for ${byOrder.size} orders`,
      'orders charged more than once',
    ),
    check(
      'every paid order charged exactly its total',
      wrong,
      `${paid} paid orders, each with one charge of its total, not refunded`,
      'paid orders whose charge does not match',
    ),
    check(
      'charged but unpaid orders refunded',
      unrefunded,
      `${refunded} charges of orders that did not end paid, each refunded in full`,
      'charges of unpaid orders not refunded in full',
    ),
  ];
}

/** Exactly one live shipment per paid order; the shipment of a cancelled order is cancelled. */
export function shipmentCheck(data: AuditData): AuditCheck {
  const bad: string[] = [];
  const orders = new Map(data.orders.map((o) => [o.id, o]));
  for (const o of data.orders) {
    const list = data.shipments.get(o.id) ?? [];
    const live = list.filter((s) => s !== 'cancelled').length;
    if (PAID.includes(o.status) && (list.length !== 1 || live !== 1))
      bad.push(`paid order ${o.id} has ${list.length} shipments (${list.join(', ') || 'none'})`);
    if (!PAID.includes(o.status) && live > 0)
      bad.push(`order ${o.id} is ${o.status} but has a shipment that is ${list.join(', ')}`);
  }
  for (const orderId of data.shipments.keys()) {
    if (!orders.has(orderId)) bad.push(`shipment for order ${orderId}, which does not exist`);
  }
  const paid = data.orders.filter((o) => PAID.includes(o.status)).length;
  return check(
    'exactly one shipment per paid order',
    bad,
    `${paid} paid orders with one shipment each; shipments of cancelled orders cancelled`,
    'orders with a wrong number of shipments',
  );
}

/** After settling, every order has reached a final state and its checkout has finished. */
export function terminalCheck(data: AuditData): AuditCheck {
  const open = data.orders
    .filter((o) => !TERMINAL.includes(o.status) || o.saga_step !== 'done')
    .map((o) => `order ${o.id} is ${o.status}, its checkout at step ${o.saga_step}`);
  return check(
    'every order terminal',
    open,
    `${data.orders.length} orders, each ${TERMINAL.join(', ')} with its checkout done`,
    'orders not in a final state',
  );
}

/** The Message-ID Notifications gives the email of an event (the same for every copy). */
export function messageIdOf(eventId: string, domain: string): string {
  return `${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}@${domain}`;
}

/** The emails an order's state promises, by event type (the outbox must hold them). */
function promised(order: OrderState, types: Set<string>): string[] {
  const missing: string[] = [];
  const has = (prefix: string) => [...types].some((t) => t.startsWith(prefix));
  // An order cancelled for stock that ran out before it was placed announces only its cancellation.
  if (!has('OrderPlaced') && !has('OrderCancelled')) missing.push('OrderPlaced');
  if (order.status === 'cancelled' && !has('OrderCancelled')) missing.push('OrderCancelled');
  if (PAID.includes(order.status) && !has('PaymentConfirmed')) missing.push('PaymentConfirmed');
  if (order.status === 'payment_failed' && !has('PaymentFailed')) missing.push('PaymentFailed');
  return missing;
}

/**
 * Every email an order promised was written to the outbox, delivered by Notifications and is in
 * the mail sink. Copies beyond the first are counted; `duplicatesAllowed` says whether the rule
 * docs/checkout.md states permits them in this run.
 */
export function emailChecks(
  data: AuditData,
  duplicatesAllowed: boolean,
): { checks: AuditCheck[]; emails: EmailCounts } {
  const typesOf = new Map<string, Set<string>>();
  for (const e of data.events) typesOf.set(e.order_id, (typesOf.get(e.order_id) ?? new Set()).add(e.type));
  const unpromised: string[] = [];
  for (const o of data.orders) {
    const missing = promised(o, typesOf.get(o.id) ?? new Set());
    if (missing.length > 0) unpromised.push(`order ${o.id} (${o.status}) has no ${missing.join(', ')} event`);
  }
  const copies = new Map<string, number>();
  for (const m of data.mail) copies.set(m.message_id, (copies.get(m.message_id) ?? 0) + 1);
  const unsent: string[] = [];
  const duplicated: string[] = [];
  let sent = 0;
  let duplicates = 0;
  for (const e of data.events) {
    const status = data.deliveries.get(e.event_id);
    const n = copies.get(messageIdOf(e.event_id, data.mailDomain)) ?? 0;
    if (status !== 'sent' || n === 0) {
      unsent.push(
        `${e.event_id}: delivery ${status ?? 'never reached Notifications'}, ${n} in the mail sink`,
      );
      continue;
    }
    sent++;
    if (n > 1) {
      duplicates += n - 1;
      duplicated.push(`${e.event_id}: ${n} copies in the mail sink`);
    }
  }
  const emails = { expected: data.events.length, sent, duplicates };
  return {
    emails,
    checks: [
      check(
        'every order announced its emails',
        unpromised,
        `${data.orders.length} orders, each with the events its state promises`,
        'orders missing an email event',
      ),
      check(
        'every expected email sent',
        unsent,
        `${sent} of ${data.events.length} emails sent and in the mail sink`,
        'emails not delivered',
      ),
      duplicatesAllowed
        ? {
            name: 'emails sent once, or as the documented rule allows',
            ok: true,
            detail: `${duplicates} extra copies (allowed: Notifications was killed during this run)`,
            ...(duplicated.length > 0 ? { examples: duplicated.slice(0, 10) } : {}),
          }
        : check(
            'emails sent once, or as the documented rule allows',
            duplicated,
            'no email sent twice',
            'emails sent more than once while Notifications was never killed',
          ),
    ],
  };
}
