// What operators see of the delivery worker: emails sent, retried and failed (by event type,
// every series from zero), and how many emails wait.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../src/domain/notification-events.ts';
import { eventually } from '@minishop/devstack/testing';
import { metricSeries } from '@minishop/devstack/service-stack';
import { startNotificationsStack, type NotificationsStack } from './notifications-stack.ts';

let stack: NotificationsStack;
beforeAll(async () => {
  stack = await startNotificationsStack();
});
afterAll(async () => {
  await stack?.sink.chaos.set({});
  await stack?.close();
});

const series = (name: string) => metricSeries(stack.app, name);
const emails = async (type: string, outcome: string) =>
  (await series('minishop_emails_total')).find((s) => s.type === type && s.outcome === outcome)?.value;

async function statusOf(eventId: string) {
  const { rows } = await stack.pool.query<{ status: string; attempts: number }>(
    'SELECT status, attempts FROM deliveries WHERE event_id = $1',
    [eventId],
  );
  return rows[0];
}

const post = (type: string) => {
  const event = {
    event_id: `metrics-${randomUUID()}`,
    type,
    to: `buyer-${randomUUID().slice(0, 8)}@example.test`,
    data: {
      order_id: randomUUID(),
      items: [{ name: 'Mug', quantity: 1, unit_price: '5.00' }],
      total_price: '5.00',
      currency: 'USD',
    },
  };
  return stack.call('POST', '/notify', { token: stack.serviceToken, body: event }).then((res) => {
    expect(res.status).toBe(202);
    return event.event_id;
  });
};

describe('email metrics', () => {
  it('has every type and outcome from the start, at zero until it happens', async () => {
    const all = await series('minishop_emails_total');
    for (const type of EVENT_TYPES) {
      for (const outcome of ['sent', 'retried', 'failed']) {
        expect(all).toContainEqual({ type, outcome, value: 0 });
      }
    }
    expect(await series('minishop_emails_pending')).toEqual([{ value: 0 }]);
  });

  it('counts a sent email', async () => {
    const id = await post('Delivered');
    await eventually(async () => (await statusOf(id))?.status === 'sent', 'the email sent');
    expect(await emails('Delivered', 'sent')).toBe(1);
  });

  it('counts retries while the mail server refuses for now, and waiting emails', async () => {
    await stack.sink.chaos.set({ Recipient: { ErrorCode: 451, Probability: 100 } });
    let id: string;
    try {
      id = await post('PaymentConfirmed');
      await eventually(async () => ((await statusOf(id))?.attempts ?? 0) >= 2, 'two failed attempts');
      expect(await emails('PaymentConfirmed', 'retried')).toBeGreaterThanOrEqual(1);
      const [pending] = await series('minishop_emails_pending');
      expect(pending!.value).toBeGreaterThanOrEqual(1);
      const [age] = await series('minishop_emails_oldest_pending_age_seconds');
      expect(age!.value).toBeGreaterThan(0);
    } finally {
      await stack.sink.chaos.set({});
    }
    await eventually(async () => (await statusOf(id))?.status === 'sent', 'the email sent after all');
    expect(await emails('PaymentConfirmed', 'sent')).toBe(1);
    expect(await emails('PaymentConfirmed', 'failed')).toBe(0);
  });

  it('counts an email the mail server refuses for good as failed', async () => {
    await stack.sink.chaos.set({ Recipient: { ErrorCode: 550, Probability: 100 } });
    try {
      const id = await post('OrderPlaced');
      await eventually(async () => (await statusOf(id))?.status === 'failed', 'the email failed');
      expect(await statusOf(id)).toEqual({ status: 'failed', attempts: 1 });
    } finally {
      await stack.sink.chaos.set({});
    }
    expect(await emails('OrderPlaced', 'failed')).toBe(1);
    expect(await emails('OrderPlaced', 'sent')).toBe(0);
  });
});
