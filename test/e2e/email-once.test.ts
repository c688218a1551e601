// When an email can go out twice, and how a mail client can tell: Notifications killed right
// after the mail server accepted an email and before it recorded it (MINISHOP_CRASH_AFTER=
// smtp-send) sends it again once its claim on the email runs out, with the same Message-ID.
// Nothing else is ever sent twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, startShop, type Shop } from '../support/shop.ts';

// A shorter SMTP timeout makes the claim on an email (4 × timeout + 5 s) end in 9 s. Much shorter,
// and a loaded machine answers the end of a message too late: the second way an email goes twice.
const NOTIFICATIONS = { SMTP_TIMEOUT_MS: '1000' };

let shop: Shop;
beforeAll(async () => {
  shop = await startShop({ componentEnv: { notifications: NOTIFICATIONS } });
});
afterAll(() => shop?.stop());

interface Summary {
  ID: string;
  MessageID: string;
  Subject: string;
}

/** The mail sink's summaries of what it received for an address, with their Message-IDs. */
const mailOf = async (email: string) => (await shop.mailTo(email)) as Summary[];

async function eventIdHeader(id: string): Promise<string> {
  const res = await call(shop.stack.urls.mailUi, 'GET', `/api/v1/message/${id}/headers`);
  const headers = res.body as Record<string, string[]>;
  const name = Object.keys(headers).find((h) => h.toLowerCase() === 'x-minishop-event-id');
  return name ? headers[name]![0]! : `no event id header in ${JSON.stringify(headers)}`;
}

/** On failure, says where each of the order's emails stood. */
async function withDiagnosis<T>(email: string, orderId: string, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (err) {
    const orders = new pg.Client({ connectionString: shop.stack.databaseUrls.orders });
    await orders.connect();
    const { rows } = await orders.query(
      'SELECT event_id, state, attempts, last_error, next_attempt_at FROM outbox WHERE order_id = $1',
      [orderId],
    );
    await orders.end();
    const log = await shop.api('GET', `/notifications?to=${encodeURIComponent(email)}`, {
      token: await shop.adminToken(),
    });
    const mail = (await mailOf(email)).map((m) => m.Subject);
    throw new Error(`${(err as Error).message}: ${JSON.stringify({ outbox: rows, log: log.body, mail })}`);
  }
}

describe('Notifications dies between the SMTP send and recording it', () => {
  it(
    'sends again exactly the emails the server had when it died, with the same Message-ID, and nothing else',
    { timeout: 180_000 },
    async () => {
      const product = await shop.createProduct({ stock: 5, price: '3.10' });
      const buyer = await shop.newCustomer();
      await eventually(async () => (await mailOf(buyer.email)).length === 1, 'the verification email');
      await shop.addToCart(buyer.token, product.id, 1);

      await shop.stack.restart('notifications', {
        env: { ...NOTIFICATIONS, MINISHOP_CRASH_AFTER: 'smtp-send' },
      });
      const exited = shop.stack.exitOf('notifications');
      const order = await shop.checkout(buyer.token);
      expect(order.status).toBe(201);
      // The first email of the order the server accepts kills the process. Another one sent
      // side by side may have reached the server too, unrecorded as well.
      expect((await exited).signal).toBe('SIGKILL');
      const before = await withDiagnosis(buyer.email, order.body.id, () =>
        eventually(async () => {
          const all = await mailOf(buyer.email);
          return all.length >= 2 ? all.filter((m) => !m.Subject.startsWith('Verify')) : null;
        }, 'the email sent before the crash'),
      );
      const unrecorded = new Set(before.map((m) => m.Subject));
      expect(unrecorded.size).toBe(before.length);

      await shop.stack.restart('notifications', { env: NOTIFICATIONS });
      const subjects = [
        `Order ${order.body.id.slice(0, 8).toUpperCase()} received`,
        `Payment confirmed for order ${order.body.id.slice(0, 8).toUpperCase()}`,
      ];
      // The relay backs off while Notifications is down, and the claims must run out first.
      const mails = await withDiagnosis(buyer.email, order.body.id, () =>
        eventually(
          async () => {
            const all = (await mailOf(buyer.email)).filter((m) => !m.Subject.startsWith('Verify'));
            const copies = (subject: string) => all.filter((m) => m.Subject === subject).length;
            const done = subjects.every((s) => copies(s) === (unrecorded.has(s) ? 2 : 1));
            return done ? all : null;
          },
          'the repeated emails and the rest',
          90_000,
        ),
      );

      expect(mails).toHaveLength(subjects.length + unrecorded.size);
      for (const subject of unrecorded) {
        const copies = mails.filter((m) => m.Subject === subject);
        expect(copies[0]!.MessageID).toBe(copies[1]!.MessageID);
        expect(await eventIdHeader(copies[0]!.ID)).toBe(await eventIdHeader(copies[1]!.ID));
      }
      const log = await shop.api('GET', `/notifications?to=${encodeURIComponent(buyer.email)}`, {
        token: await shop.adminToken(),
      });
      // Each unrecorded email was taken, sent and lost with the process, then taken again once
      // its claim ran out. An email the process had taken but not sent yet is taken again too, and
      // sent once; one it never took is sent at the first attempt. The verification email, recorded
      // before, went out once.
      const attempts = Object.fromEntries(
        log.body.map((e: { type: string; status: string; attempts: number }) => {
          expect(e.status).toBe('sent');
          return [e.type, e.attempts];
        }),
      );
      expect(attempts.EmailVerification).toBe(1);
      for (const [type, subject] of [
        ['OrderPlaced', subjects[0]!],
        ['PaymentConfirmed', subjects[1]!],
      ] as const) {
        if (unrecorded.has(subject)) expect(attempts[type]).toBe(2);
        else expect([1, 2]).toContain(attempts[type]);
      }
    },
  );
});
