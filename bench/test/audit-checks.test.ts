import { describe, expect, it } from 'vitest';
import {
  chargeChecks,
  emailChecks,
  messageIdOf,
  shipmentCheck,
  stockChecks,
  terminalCheck,
  type AuditCheck,
  type AuditData,
} from '../audit-checks.ts';

// A small shop after a run that went right: one paid order, one declined, one cancelled after
// paying (refunded), on two products. Each test plants one violation and expects the audit to
// name it, while the clean run passes every check.

const DOMAIN = 'minishop.local';
const PAID_ORDER = '00000000-0000-4000-8000-000000000001';
const FAILED_ORDER = '00000000-0000-4000-8000-000000000002';
const CANCELLED_ORDER = '00000000-0000-4000-8000-000000000003';

function cleanRun(): AuditData {
  const events = [
    { event_id: `${PAID_ORDER}:OrderPlaced`, order_id: PAID_ORDER, type: 'OrderPlaced' },
    { event_id: `${PAID_ORDER}:PaymentConfirmed:1`, order_id: PAID_ORDER, type: 'PaymentConfirmed' },
    { event_id: `${FAILED_ORDER}:OrderPlaced`, order_id: FAILED_ORDER, type: 'OrderPlaced' },
    { event_id: `${FAILED_ORDER}:PaymentFailed:1`, order_id: FAILED_ORDER, type: 'PaymentFailed' },
    { event_id: `${CANCELLED_ORDER}:OrderPlaced`, order_id: CANCELLED_ORDER, type: 'OrderPlaced' },
    {
      event_id: `${CANCELLED_ORDER}:PaymentConfirmed:1`,
      order_id: CANCELLED_ORDER,
      type: 'PaymentConfirmed',
    },
    { event_id: `${CANCELLED_ORDER}:OrderCancelled:1`, order_id: CANCELLED_ORDER, type: 'OrderCancelled' },
  ];
  return {
    products: [
      { id: 'p1', name: 'Mug', initial: 5, stock: 3, committed: 2, reserved: 0 },
      { id: 'p2', name: 'Pen', initial: 10, stock: 10, committed: 0, reserved: 0 },
    ],
    orders: [
      { id: PAID_ORDER, status: 'paid', total_cents: 1998, saga_step: 'done' },
      { id: FAILED_ORDER, status: 'payment_failed', total_cents: 500, saga_step: 'done' },
      { id: CANCELLED_ORDER, status: 'cancelled', total_cents: 700, saga_step: 'done' },
    ],
    soldUnits: new Map([['p1', 2]]),
    charges: [
      { id: 'pi_1', order_id: PAID_ORDER, amount_received: 1998, amount_refunded: 0 },
      { id: 'pi_3', order_id: CANCELLED_ORDER, amount_received: 700, amount_refunded: 700 },
    ],
    shipments: new Map([
      [PAID_ORDER, ['label_created']],
      [CANCELLED_ORDER, ['cancelled']],
    ]),
    events,
    deliveries: new Map(events.map((e) => [e.event_id, 'sent'])),
    mail: events.map((e) => ({ message_id: messageIdOf(e.event_id, DOMAIN) })),
    mailDomain: DOMAIN,
  };
}

function allChecks(data: AuditData, duplicatesAllowed = false): AuditCheck[] {
  return [
    ...stockChecks(data),
    ...chargeChecks(data),
    shipmentCheck(data),
    terminalCheck(data),
    ...emailChecks(data, duplicatesAllowed).checks,
  ];
}

/** The names of the checks that failed, and their examples. */
function failures(data: AuditData, duplicatesAllowed = false) {
  return allChecks(data, duplicatesAllowed)
    .filter((c) => !c.ok)
    .map((c) => ({ name: c.name, examples: c.examples ?? [] }));
}

describe('the audit', () => {
  it('passes a run where everything went right', () => {
    expect(failures(cleanRun())).toEqual([]);
    expect(emailChecks(cleanRun(), false).emails).toEqual({ expected: 7, sent: 7, duplicates: 0 });
  });

  it('catches an oversold product', () => {
    const data = cleanRun();
    data.products[0] = { ...data.products[0]!, stock: -1, committed: 6 };
    data.soldUnits.set('p1', 6);
    expect(failures(data).map((f) => f.name)).toEqual(['no product oversold']);
  });

  it('catches stock that does not add up', () => {
    const data = cleanRun();
    data.products[1] = { ...data.products[1]!, stock: 9 };
    expect(failures(data)).toEqual([
      { name: 'stock conserved', examples: ['Pen: started 10 ≠ stock 9 + committed 0 + reserved 0'] },
    ]);
  });

  it('catches an order charged twice', () => {
    const data = cleanRun();
    data.charges.push({ id: 'pi_2', order_id: PAID_ORDER, amount_received: 1998, amount_refunded: 0 });
    expect(failures(data).map((f) => f.name)).toEqual(['at most one successful charge per order']);
  });

  it('catches a paid order charged the wrong amount, or not at all', () => {
    const data = cleanRun();
    data.charges[0] = { ...data.charges[0]!, amount_received: 1999 };
    expect(failures(data).map((f) => f.name)).toEqual(['every paid order charged exactly its total']);
    data.charges.shift();
    expect(failures(data)[0]!.examples).toEqual([`order ${PAID_ORDER} is paid without a successful charge`]);
  });

  it('catches a charged order that did not end paid and was not refunded', () => {
    const data = cleanRun();
    data.charges[1] = { ...data.charges[1]!, amount_refunded: 0 };
    data.charges.push({ id: 'pi_9', order_id: FAILED_ORDER, amount_received: 500, amount_refunded: 0 });
    const [failure] = failures(data);
    expect(failure!.name).toBe('charged but unpaid orders refunded');
    expect(failure!.examples).toHaveLength(2);
  });

  it('catches a paid order without its shipment, and a live shipment of a cancelled order', () => {
    const data = cleanRun();
    data.shipments.delete(PAID_ORDER);
    data.shipments.set(CANCELLED_ORDER, ['label_created']);
    expect(failures(data)).toEqual([
      {
        name: 'exactly one shipment per paid order',
        examples: [
          `paid order ${PAID_ORDER} has 0 shipments (none)`,
          `order ${CANCELLED_ORDER} is cancelled but has a shipment that is label_created`,
        ],
      },
    ]);
  });

  it('catches an order left in the middle of its checkout', () => {
    const data = cleanRun();
    data.orders[0] = { ...data.orders[0]!, status: 'pending', saga_step: 'charging' };
    data.charges.shift();
    data.shipments.delete(PAID_ORDER);
    const names = failures(data).map((f) => f.name);
    expect(names).toContain('every order terminal');
  });

  it('catches an email that was promised but never written, or written but never sent', () => {
    const data = cleanRun();
    data.events = data.events.filter((e) => e.type !== 'PaymentFailed' && e.type !== 'OrderCancelled');
    data.deliveries.set(`${PAID_ORDER}:PaymentConfirmed:1`, 'pending');
    expect(failures(data)).toEqual([
      {
        name: 'every order announced its emails',
        examples: [
          `order ${FAILED_ORDER} (payment_failed) has no PaymentFailed event`,
          `order ${CANCELLED_ORDER} (cancelled) has no OrderCancelled event`,
        ],
      },
      {
        name: 'every expected email sent',
        examples: [`${PAID_ORDER}:PaymentConfirmed:1: delivery pending, 1 in the mail sink`],
      },
    ]);
  });

  it('counts a duplicate email, and fails on it unless the documented rule allows it in this run', () => {
    const data = cleanRun();
    data.mail.push({ message_id: messageIdOf(`${PAID_ORDER}:OrderPlaced`, DOMAIN) });
    expect(failures(data).map((f) => f.name)).toEqual(['emails sent once, or as the documented rule allows']);
    expect(failures(data, true)).toEqual([]);
    expect(emailChecks(data, true).emails).toEqual({ expected: 7, sent: 7, duplicates: 1 });
  });
});
