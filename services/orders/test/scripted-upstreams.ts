// The services Orders calls, played by a script: each call is recorded, and a test decides
// what the next calls answer (succeed, fail for a while, decline, run out of stock...).
import { randomUUID } from 'node:crypto';
import { UpstreamUnavailable } from '@minishop/kit/service-client';
import type { CartLine, Payment, Upstreams } from '../src/domain/upstreams.ts';
import { UnexpectedReply } from '../src/domain/upstreams.ts';

type CallName = keyof Upstreams;

export interface Script {
  cart: CartLine[];
  /** Units per product the catalog can still reserve. */
  stock: Map<string, number>;
  payment: Payment['status'];
  /** Calls that fail (as an unreachable service) this many more times. */
  failures: Partial<Record<CallName, number>>;
  /** Notify answers this status (e.g. 422) instead of accepting. */
  notifyStatus?: number;
  shipmentState: 'label_created' | 'in_transit';
  commitGone: boolean;
  /** The first charge waits for this before it answers (a slow provider, or a paused worker). */
  holdFirstCharge?: Promise<void>;
}

export interface Call {
  name: CallName;
  args: unknown[];
  /** The deadline the saga gave the call, and when it was made (both `performance.now()`). */
  deadline?: number;
  at: number;
  /** Refused, as the service client does, because its deadline had passed. */
  late?: boolean;
}

export function scriptedUpstreams(script: Partial<Script> = {}) {
  const state: Script = {
    cart: [],
    stock: new Map(),
    payment: 'succeeded',
    failures: {},
    shipmentState: 'label_created',
    commitGone: false,
    ...script,
  };
  const calls: Call[] = [];
  const reserved = new Set<string>();
  const shipments = new Map<string, string>();
  const payments = new Map<string, string>();

  function enter(name: CallName, args: unknown[], deadline?: number) {
    const call: Call = { name, args, deadline, at: performance.now() };
    calls.push(call);
    if (deadline !== undefined && call.at >= deadline) {
      call.late = true;
      throw new UpstreamUnavailable(name, 'deadline passed');
    }
    const left = state.failures[name] ?? 0;
    if (left > 0) {
      state.failures[name] = left - 1;
      throw new UpstreamUnavailable(name, 'scripted outage');
    }
  }

  const upstreams: Upstreams = {
    async readCart(userId) {
      enter('readCart', [userId]);
      return state.cart.map((line) => ({ ...line, name: 'Thing' }));
    },
    async clearCart(userId, deadline) {
      enter('clearCart', [userId], deadline);
    },
    async reserve(orderId, lines, deadline) {
      enter('reserve', [orderId, lines], deadline);
      if (reserved.has(orderId)) return { ok: true, items: priced(lines) };
      const short = lines
        .map((l) => ({
          product_id: l.product_id,
          requested: l.quantity,
          available: state.stock.get(l.product_id) ?? 0,
        }))
        .filter((l) => l.available < l.requested);
      if (short.length > 0) return { ok: false, short };
      for (const l of lines) state.stock.set(l.product_id, state.stock.get(l.product_id)! - l.quantity);
      reserved.add(orderId);
      return { ok: true, items: priced(lines) };
    },
    async commit(orderId, deadline) {
      enter('commit', [orderId], deadline);
      return state.commitGone ? 'gone' : 'committed';
    },
    async release(orderId, deadline) {
      enter('release', [orderId], deadline);
      reserved.delete(orderId);
    },
    async charge(request, deadline) {
      enter('charge', [request], deadline);
      const hold = state.holdFirstCharge;
      state.holdFirstCharge = undefined;
      if (hold) await hold;
      const key = `${request.order_id}:${request.attempt}`;
      const id = payments.get(key) ?? randomUUID();
      payments.set(key, id);
      return { id, status: state.payment, failure_code: state.payment === 'failed' ? 'card_declined' : null };
    },
    async refund(orderId, deadline) {
      enter('refund', [orderId], deadline);
    },
    async createShipment(request, deadline) {
      enter('createShipment', [request], deadline);
      const id = shipments.get(request.order_id) ?? randomUUID();
      shipments.set(request.order_id, id);
      return { id, tracking_number: 'MSTEST0000001', carrier: 'Test Carrier', status: 'label_created' };
    },
    async cancelShipment(shipmentId, deadline) {
      enter('cancelShipment', [shipmentId], deadline);
      return state.shipmentState === 'in_transit' ? 'shipped' : 'cancelled';
    },
    async notify(notification) {
      enter('notify', [notification]);
      if (state.notifyStatus) throw new UnexpectedReply('notifications', state.notifyStatus, {});
    },
    async notifyBatch(notifications) {
      enter('notifyBatch', [notifications]);
      if (state.notifyStatus) throw new UnexpectedReply('notifications', state.notifyStatus, {});
    },
  };

  return {
    upstreams,
    state,
    calls,
    count: (name: CallName) => calls.filter((c) => c.name === name).length,
  };
}

function priced(lines: CartLine[]) {
  return lines.map((l) => ({
    product_id: l.product_id,
    name: 'Thing',
    unit_price: '2.50',
    quantity: l.quantity,
  }));
}
