import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import { WebhookReceiver, charge, newOrderId } from './provider-harness.ts';
import { startProcess } from './provider-process.ts';

// The simulator keeps its state in a file: killed with SIGKILL at any moment and started again on
// the same file, it still knows every charge it answered, replays every idempotency key it
// answered, and delivers the events it had not delivered yet.

const SECRET = 'sk_test_persistence';
let dir: string;
let receiver: WebhookReceiver;
let webhookUrl: string;
const running: Array<ReturnType<typeof startProcess>> = [];
// Admin read-outs are asserted field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Json = any;

async function provider(): Promise<{
  stripe: Stripe;
  admin: (p: string) => Promise<Json>;
  kill(): Promise<void>;
}> {
  const proc = startProcess({
    MINISHOP_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    PROVIDER_SECRET_KEY: SECRET,
    PROVIDER_WEBHOOK_URL: webhookUrl,
    PROVIDER_WEBHOOK_RETRY_BASE_MS: '10000',
    PROVIDER_STATE_FILE: path.join(dir, 'provider.json'),
  });
  running.push(proc);
  const port = await proc.listening;
  const stripe = new Stripe(SECRET, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  const admin = async (p: string) =>
    (await fetch(`http://127.0.0.1:${port}${p}`, { headers: { authorization: `Bearer ${SECRET}` } })).json();
  return {
    stripe,
    admin,
    kill: async () => {
      proc.child.kill('SIGKILL');
      await once(proc.child, 'exit');
    },
  };
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minishop-provider-state-'));
  receiver = new WebhookReceiver();
  webhookUrl = await receiver.start();
});
afterEach(async () => {
  for (const proc of running.splice(0)) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
  await receiver.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the payment simulator restarted on its state file', () => {
  it('still has every charge and refund it answered', async () => {
    const first = await provider();
    const orderId = newOrderId();
    const pi = await first.stripe.paymentIntents.create(charge(orderId));
    const refund = await first.stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    await first.kill();

    const second = await provider();
    const again = await second.stripe.paymentIntents.retrieve(pi.id);
    expect(again).toMatchObject({
      status: 'succeeded',
      amount_received: 2599,
      latest_charge: pi.latest_charge,
    });
    expect((await second.stripe.refunds.retrieve(refund.id)).amount).toBe(500);
    // What was left on the charge survived too: refunding more than the rest is refused.
    await expect(second.stripe.refunds.create({ payment_intent: pi.id, amount: 2100 })).rejects.toThrow(
      /greater than unrefunded/,
    );
    const listed = await second.admin(`/_sim/payment_intents?status=succeeded&metadata[order_id]=${orderId}`);
    expect(listed.count).toBe(1);
  });

  it('answers a retried idempotency key with the first answer instead of charging again', async () => {
    const first = await provider();
    const orderId = newOrderId();
    const key = `charge-${orderId}`;
    const pi = await first.stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key });
    const declinedKey = `decline-${orderId}`;
    const declined = await first.stripe.paymentIntents
      .create(charge(orderId, 'pm_card_chargeDeclined'), { idempotencyKey: declinedKey })
      .catch((e: Stripe.errors.StripeError) => e);
    await first.kill();

    const second = await provider();
    const replay = await second.stripe.paymentIntents.create(charge(orderId), { idempotencyKey: key });
    expect(replay.id).toBe(pi.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    const declinedAgain = await second.stripe.paymentIntents
      .create(charge(orderId, 'pm_card_chargeDeclined'), { idempotencyKey: declinedKey })
      .catch((e: Stripe.errors.StripeError) => e);
    expect((declinedAgain as Stripe.errors.StripeCardError).payment_intent?.id).toBe(
      (declined as Stripe.errors.StripeCardError).payment_intent?.id,
    );
    const listed = await second.admin(`/_sim/payment_intents?status=succeeded&metadata[order_id]=${orderId}`);
    expect(listed.count).toBe(1);
  });

  it('delivers after the restart the events it had not delivered before the kill', async () => {
    receiver.failNext(1);
    const first = await provider();
    const pi = await first.stripe.paymentIntents.create(charge(newOrderId()));
    // The first delivery failed; the retry is 10 s away when the process dies.
    await eventually(async () => {
      const events = await first.admin('/_sim/events');
      return events.data.some((e: Json) => e.attempts.length > 0) ? true : undefined;
    }, 'the first delivery attempt');
    expect(receiver.forObject(pi.id)).toHaveLength(0);
    await first.kill();

    await provider();
    await eventually(
      async () => (receiver.forObject(pi.id).length === 1 ? true : undefined),
      'the event after restart',
    );
    expect(receiver.forObject(pi.id)[0]!.event.type).toBe('payment_intent.succeeded');
  });

  it('does not deliver again an event delivered before the kill', async () => {
    const first = await provider();
    const pi = await first.stripe.paymentIntents.create(charge(newOrderId()));
    // Delivered and recorded as delivered: a kill between the two would rightly send it again.
    await eventually(async () => {
      const events = await first.admin('/_sim/events');
      return events.data.some((e: Json) => e.object_id === pi.id && e.delivered === 1) ? true : undefined;
    }, 'the delivery to be recorded');
    expect(receiver.forObject(pi.id)).toHaveLength(1);
    await first.kill();

    const second = await provider();
    // A later event goes out after any resumed one would (they are due at once): when it has
    // arrived, a wrongly resumed copy of the first would have too.
    const later = await second.stripe.paymentIntents.create(charge(newOrderId()));
    await eventually(
      async () => (receiver.forObject(later.id).length === 1 ? true : undefined),
      'the later event',
    );
    expect(receiver.forObject(pi.id)).toHaveLength(1);
  });
});
