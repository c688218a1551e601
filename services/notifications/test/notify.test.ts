import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import { PUBLIC_URL, startNotificationsStack, type NotificationsStack } from './notifications-stack.ts';

let stack: NotificationsStack;
beforeAll(async () => {
  stack = await startNotificationsStack();
});
afterAll(async () => {
  await stack?.close();
});

const recipient = () => `buyer-${randomUUID().slice(0, 8)}@example.test`;

function orderData(extra: Record<string, unknown> = {}) {
  return {
    order_id: randomUUID(),
    username: 'ada',
    items: [
      { product_id: randomUUID(), name: 'Blue mug', quantity: 2, unit_price: '12.50', line_total: '25.00' },
      { product_id: randomUUID(), name: 'Tea towel', quantity: 1, unit_price: '7.99' },
    ],
    total_price: '32.99',
    currency: 'USD',
    ...extra,
  };
}

const notify = (body: unknown, token = stack.serviceToken) => stack.call('POST', '/notify', { token, body });

async function logOf(to: string) {
  const res = await stack.call('GET', `/notifications?to=${encodeURIComponent(to)}`, {
    token: stack.issuer.admin().token,
  });
  expect(res.status).toBe(200);
  return res.body as Array<{ event_id: string; status: string; attempts: number; last_error: string | null }>;
}

/**
 * The mail an address received once the worker has moved on: after the delivery log says sent,
 * a later event to the same address goes through the worker too, so a second copy of the first
 * (sent by the same pass or a later one) would be in the sink by the time the later one is.
 */
async function settledMail(to: string, eventId: string) {
  await eventually(async () => (await logOf(to)).find((e) => e.event_id === eventId && e.status === 'sent'));
  const later = { event_id: `later-${randomUUID()}`, type: 'Delivered', to, data: orderData() };
  expect((await notify(later)).status).toBe(202);
  const mails = await eventually(async () => {
    const all = await stack.mailTo(to);
    return all.some((m) => m.Subject.endsWith('was delivered')) ? all : null;
  }, 'the later email');
  return mails.filter((m) => !m.Subject.endsWith('was delivered'));
}

describe('emails per event type', () => {
  const cases: Array<[string, () => Record<string, unknown>, RegExp, string[]]> = [
    ['OrderPlaced', () => orderData(), /^Order [0-9A-F]{8} received$/, ['received']],
    [
      'PaymentConfirmed',
      () => orderData(),
      /^Payment confirmed for order [0-9A-F]{8}$/,
      ['received your payment'],
    ],
    [
      'PaymentFailed',
      () => orderData({ failure_message: 'Your card has insufficient funds.' }),
      /^Payment failed for order [0-9A-F]{8}$/,
      ['insufficient funds', 'retry'],
    ],
    [
      'Shipped',
      () => orderData({ tracking_number: 'MS1234567890', carrier: 'Minishop Post' }),
      /^Order [0-9A-F]{8} has shipped$/,
      ['MS1234567890', 'Minishop Post'],
    ],
    ['Delivered', () => orderData(), /^Order [0-9A-F]{8} was delivered$/, ['delivered']],
  ];

  it.each(cases)('sends %s with the order details', async (type, data, subject, phrases) => {
    const to = recipient();
    const body = { event_id: `${type}-${randomUUID()}`, type, to, data: data() };
    const res = await notify(body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ message: expect.any(String) });

    const [mail, ...more] = await eventually(async () => {
      const mails = await stack.mailTo(to);
      return mails.length > 0 ? mails : null;
    });
    expect(more).toHaveLength(0);
    expect(mail!.Subject).toMatch(subject);
    expect(mail!.Subject).toContain(String(body.data.order_id).slice(0, 8).toUpperCase());
    expect(mail!.From).toMatchObject({ Address: 'no-reply@minishop.local', Name: 'Minishop' });
    expect(mail!.To.map((t) => t.Address)).toEqual([to]);
    for (const content of [mail!.Text, mail!.HTML]) {
      expect(content).toContain(String(body.data.order_id));
      expect(content).toContain('Blue mug');
      expect(content).toContain('Tea towel');
      expect(content).toContain('12.50');
      expect(content).toContain('25.00');
      expect(content).toContain('7.99');
      expect(content).toContain('32.99');
      expect(content).toContain('Hello ada');
      for (const phrase of phrases) expect(content.toLowerCase()).toContain(phrase.toLowerCase());
    }
    expect(mail!.Text).toMatch(/2 x Blue mug @ 12\.50 = 25\.00 USD/);
    expect(mail!.Text).toMatch(/1 x Tea towel @ 7\.99 = 7\.99 USD/);
    expect(mail!.HTML).toMatch(/<td[^>]*>Blue mug<\/td><td[^>]*>2<\/td>/);
  });

  it('sends EmailVerification with the verification link', async () => {
    const to = recipient();
    const verifyUrl = `http://127.0.0.1:8080/auth/verify-email?token=${randomUUID()}`;
    const res = await notify({
      event_id: `verify-${randomUUID()}`,
      type: 'EmailVerification',
      to,
      data: { username: 'grace', verify_url: verifyUrl },
    });
    expect(res.status).toBe(202);
    const [mail] = await eventually(async () => {
      const mails = await stack.mailTo(to);
      return mails.length > 0 ? mails : null;
    });
    expect(mail!.Subject).toBe('Verify your email address');
    expect(mail!.Text).toContain(verifyUrl);
    expect(mail!.Text).toContain('Hello grace');
    expect(mail!.HTML).toContain(`href="${verifyUrl}"`);
  });
});

describe('cancelled orders', () => {
  const cancelled = async (data: Record<string, unknown>) => {
    const to = recipient();
    const res = await notify({ event_id: `cancel-${randomUUID()}`, type: 'OrderCancelled', to, data });
    expect(res.status).toBe(202);
    const [mail, ...more] = await eventually(async () => {
      const mails = await stack.mailTo(to);
      return mails.length > 0 ? mails : null;
    });
    expect(more).toHaveLength(0);
    expect(mail!.Subject).toMatch(/^Order [0-9A-F]{8} was cancelled$/);
    return mail!;
  };

  it('tells the buyer which items ran out and that nothing was charged', async () => {
    const mail = await cancelled(
      orderData({
        status: 'cancelled',
        reason: 'out_of_stock',
        refunded: false,
        items: [
          { product_id: randomUUID(), name: 'Blue mug', quantity: 3, unit_price: '0.00', line_total: '0.00' },
        ],
        total_price: '0.00',
        short: [{ product_id: randomUUID(), name: 'Blue mug', requested: 3, available: 1 }],
      }),
    );
    for (const content of [mail.Text, mail.HTML]) {
      expect(content).toContain('ran out before we could reserve them');
      expect(content).toContain('Nothing was charged.');
      expect(content).toContain('Blue mug: you asked for 3, 1 left.');
      expect(content).toContain('Hello ada');
      // No price was ever fixed, so none is shown.
      expect(content).not.toContain('0.00');
    }
  });

  it('tells the buyer an order that could not be shipped was refunded', async () => {
    const mail = await cancelled(orderData({ reason: 'stock_lost_after_payment', refunded: true }));
    for (const content of [mail.Text, mail.HTML]) {
      expect(content).toContain('could not ship your order');
      expect(content).toContain('has been refunded');
      expect(content).toContain('32.99 USD');
      expect(content).toContain('Blue mug');
    }
  });

  it.each([
    [
      'the buyer asked for',
      'requested',
      ['Your order has been cancelled, as you asked.'],
      'We have cancelled',
    ],
    [
      'the shop made',
      'by_shop',
      ['We have cancelled your order.', 'We are sorry for the trouble.'],
      'as you asked',
    ],
  ])(
    'confirms a cancellation %s, with a refund only when there was one',
    async (_who, reason, says, never) => {
      const refunded = await cancelled(orderData({ reason, refunded: true }));
      expect(refunded.Text).toContain('Your payment of 32.99 USD has been refunded');
      const unpaid = await cancelled(orderData({ reason, refunded: false }));
      expect(unpaid.Text).not.toContain('refunded');
      for (const content of [refunded.Text, refunded.HTML, unpaid.Text]) {
        for (const phrase of says) expect(content).toContain(phrase);
        expect(content).not.toContain(never);
      }
    },
  );

  it('shows a reason it does not know neutrally rather than failing the email', async () => {
    const mail = await cancelled(orderData({ reason: 'fraud_suspected' }));
    expect(mail.Text).toContain('Your order has been cancelled.');
    expect(mail.Text).not.toContain('fraud_suspected');
  });
});

describe('events as the services send them', () => {
  const firstMail = (to: string) =>
    eventually(async () => {
      const mails = await stack.mailTo(to);
      return mails.length > 0 ? mails[0] : null;
    });

  it('builds the verification link from the public URL when given a path', async () => {
    const to = recipient();
    const token = randomUUID();
    const res = await notify({
      event_id: `verify-${randomUUID()}`,
      type: 'EmailVerification',
      to,
      data: {
        username: 'linus',
        verification_token: token,
        verification_path: `/auth/verify-email?token=${token}`,
      },
    });
    expect(res.status).toBe(202);
    const mail = await firstMail(to);
    expect(mail!.Text).toContain(`${PUBLIC_URL}/auth/verify-email?token=${token}`);
    expect(mail!.HTML).toContain(`href="${PUBLIC_URL}/auth/verify-email?token=${token}"`);
  });

  it('refuses a verification path that would lead to another host', async () => {
    const res = await notify({
      event_id: `verify-${randomUUID()}`,
      type: 'EmailVerification',
      to: recipient(),
      data: { username: 'mallory', verification_path: '//evil.example/verify' },
    });
    expect(res.status).toBe(422);
  });

  it('takes an order event with extra fields and nulls and shows where the order goes', async () => {
    const to = recipient();
    const data = {
      ...orderData({ username: undefined }),
      status: 'payment_failed',
      shipping_address: {
        name: 'Ada Lovelace',
        line1: '12 Analytical Row',
        city: 'London',
        postal_code: 'N1 9GU',
        country: 'GB',
      },
      reason: 'Your card was declined.',
      carrier: null,
      items: [{ product_id: randomUUID(), name: '', unit_price: '3.00', quantity: 3, line_total: '9.00' }],
      total_price: '9.00',
    };
    expect(
      (await notify({ event_id: `failed-${randomUUID()}`, type: 'PaymentFailed', to, data })).status,
    ).toBe(202);
    const mail = await firstMail(to);
    expect(mail!.Text).toContain('Hello Ada Lovelace');
    expect(mail!.Text).toContain('Your card was declined.');
    expect(mail!.Text).toContain('3 x Item @ 3.00 = 9.00 USD');

    const shippedTo = recipient();
    const shipped = { ...data, status: 'shipped', tracking_number: 'MS-000123', carrier: 'Minishop Post' };
    expect(
      (await notify({ event_id: `shipped-${randomUUID()}`, type: 'Shipped', to: shippedTo, data: shipped }))
        .status,
    ).toBe(202);
    const shippedMail = await firstMail(shippedTo);
    for (const line of ['Ada Lovelace', '12 Analytical Row', 'N1 9GU London', 'GB', 'MS-000123']) {
      expect(shippedMail!.Text).toContain(line);
      expect(shippedMail!.HTML).toContain(line);
    }
  });
});

describe('one email per event id', () => {
  it('stores and sends an event posted 5 times in a row once', async () => {
    const to = recipient();
    const body = { event_id: `placed-${randomUUID()}`, type: 'OrderPlaced', to, data: orderData() };
    for (let i = 0; i < 5; i++) expect((await notify(body)).status).toBe(202);
    expect(await settledMail(to, body.event_id)).toHaveLength(1);
    const log = (await logOf(to)).filter((e) => !e.event_id.startsWith('later-'));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
  });

  it('stores and sends an event posted 5 times at once once', async () => {
    const to = recipient();
    const body = { event_id: `placed-${randomUUID()}`, type: 'OrderPlaced', to, data: orderData() };
    const answers = await Promise.all(Array.from({ length: 5 }, () => notify(body)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(await settledMail(to, body.event_id)).toHaveLength(1);
  });
});

describe('a batch of events', () => {
  const notifyBatch = (body: unknown, token = stack.serviceToken) =>
    stack.call('POST', '/notify/batch', { token, body });
  const event = (to: string, type = 'OrderPlaced', data = orderData()) => ({
    event_id: `batch-${randomUUID()}`,
    type,
    to,
    data,
  });

  it('stores the events of one request and answers each; a repeated event id is one email', async () => {
    const to = recipient();
    const placed = event(to);
    const confirmed = event(to, 'PaymentConfirmed');
    const res = await notifyBatch({ events: [placed, confirmed, placed] });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      results: [
        { event_id: placed.event_id, status: 'accepted' },
        { event_id: confirmed.event_id, status: 'accepted' },
        { event_id: placed.event_id, status: 'already accepted' },
      ],
    });
    // Posting one of them again, alone or in a batch, is known.
    expect((await notify(placed)).body.message).toBe('notification already accepted');
    expect((await notifyBatch({ events: [confirmed] })).body.results).toEqual([
      { event_id: confirmed.event_id, status: 'already accepted' },
    ]);
    await settledMail(to, confirmed.event_id);
    const mails = await settledMail(to, placed.event_id);
    expect(mails.map((m) => m.Subject).sort()).toEqual([
      expect.stringMatching(/^Order [0-9A-F]{8} received$/),
      expect.stringMatching(/^Payment confirmed for order [0-9A-F]{8}$/),
    ]);
  });

  const bad: Array<[string, (to: string) => unknown, number]> = [
    [
      'an event with data that does not fit its type',
      (to) => ({ events: [event(to), event(to, 'Shipped')] }),
      422,
    ],
    ['an event with a bad address', (to) => ({ events: [event(to), { ...event(to), to: 'nope' }] }), 422],
    ['an event with an unknown field', (to) => ({ events: [event(to), { ...event(to), priority: 1 }] }), 422],
    ['no events', () => ({ events: [] }), 422],
    ['too many events', (to) => ({ events: Array.from({ length: 101 }, () => event(to)) }), 422],
    ['a bare array', (to) => [event(to)], 422],
  ];
  it.each(bad)('refuses %s with a problem and records nothing', async (_name, make, status) => {
    const to = recipient();
    const res = await notifyBatch(make(to));
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await logOf(to)).toEqual([]);
  });

  it('names the event whose data is wrong', async () => {
    const to = recipient();
    const res = await notifyBatch({ events: [event(to), event(to, 'Shipped')] });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(
      'body.events.1.data.tracking_number',
    );
  });

  it('lets only services with notify:send post a batch', async () => {
    const body = { events: [event(recipient())] };
    expect((await notifyBatch(body, stack.issuer.customer().token)).status).toBe(403);
    expect((await stack.call('POST', '/notify/batch', { body })).status).toBe(401);
  });
});

describe('mail server outage', () => {
  it('accepts events while SMTP is down and delivers each once when it is back', async () => {
    const to = recipient();
    await stack.stopSmtp();
    const events = Array.from({ length: 3 }, (_, i) => ({
      event_id: `outage-${i}-${randomUUID()}`,
      type: 'PaymentConfirmed',
      to,
      data: orderData(),
    }));
    try {
      for (const event of events) expect((await notify(event)).status).toBe(202);
      const failing = await eventually(async () => {
        const log = await logOf(to);
        return log.length === 3 && log.every((e) => e.attempts >= 2 && e.last_error) ? log : null;
      });
      expect(failing.every((e) => e.status === 'pending')).toBe(true);
      expect(await stack.mailTo(to)).toHaveLength(0);
    } finally {
      await stack.startSmtp();
    }
    await eventually(async () => (await logOf(to)).every((e) => e.status === 'sent'));
    const mails = await settledMail(to, events[2]!.event_id);
    expect(mails).toHaveLength(3);
    expect(new Set(mails.map((m) => m.MessageID)).size).toBe(3);
  });
});

describe('HTML safety', () => {
  it('escapes event data in the HTML body', async () => {
    const to = recipient();
    const data = orderData({
      username: '<img src=x onerror=alert(1)>',
      items: [{ name: '<script>alert("mug")</script>', quantity: 1, unit_price: '5.00' }],
      total_price: '5.00',
      tracking_number: '"><script>alert(2)</script>',
    });
    expect((await notify({ event_id: `xss-${randomUUID()}`, type: 'Shipped', to, data })).status).toBe(202);
    const [mail] = await eventually(async () => {
      const mails = await stack.mailTo(to);
      return mails.length > 0 ? mails : null;
    });
    expect(mail!.HTML).not.toContain('<script');
    expect(mail!.HTML).not.toContain('<img');
    expect(mail!.HTML).toContain('&lt;script&gt;alert(&quot;mug&quot;)&lt;/script&gt;');
    expect(mail!.HTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail!.HTML).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(mail!.Text).toContain('<script>alert("mug")</script>');
  });

  it('refuses verification links that are not http(s) or that could break out of an attribute', async () => {
    for (const verifyUrl of [
      'javascript:alert(1)',
      'http://x/"><script>alert(1)</script>',
      'data:text/html,hi',
    ]) {
      const res = await notify({
        event_id: `verify-${randomUUID()}`,
        type: 'EmailVerification',
        to: recipient(),
        data: { username: 'eve', verify_url: verifyUrl },
      });
      expect(res.status).toBe(422);
    }
  });
});

describe('access', () => {
  it('lets only services with notify:send post events', async () => {
    const body = { event_id: `x-${randomUUID()}`, type: 'OrderPlaced', to: recipient(), data: orderData() };
    expect((await notify(body, stack.issuer.customer().token)).status).toBe(403);
    expect((await notify(body, stack.issuer.admin().token)).status).toBe(403);
    expect((await notify(body, stack.issuer.service(['payments:charge']))).status).toBe(403);
    expect((await stack.call('POST', '/notify', { body })).status).toBe(401);
    expect((await stack.call('POST', '/notify', { body, token: 'not-a-token' })).status).toBe(401);
  });

  it('shows admins the delivery log, filtered by recipient', async () => {
    const to = recipient();
    const eventId = `log-${randomUUID()}`;
    await notify({ event_id: eventId, type: 'Delivered', to, data: orderData() });
    const log = await eventually(async () => {
      const entries = await logOf(to.toUpperCase());
      return entries[0]?.status === 'sent' ? entries : null;
    });
    expect(log).toEqual([
      {
        event_id: eventId,
        type: 'Delivered',
        to,
        status: 'sent',
        attempts: 1,
        last_error: null,
        created_at: expect.any(String),
        sent_at: expect.any(String),
      },
    ]);
    const all = await stack.call('GET', '/notifications?limit=100', { token: stack.issuer.admin().token });
    expect(all.status).toBe(200);
    expect(Number(all.headers.get('x-total-count'))).toBeGreaterThanOrEqual(1);
    const forCustomer = await stack.call('GET', `/notifications?to=${to}`, {
      token: stack.issuer.customer().token,
    });
    expect(forCustomer.status).toBe(403);
    expect((await stack.call('GET', '/notifications', { token: stack.serviceToken })).status).toBe(403);
  });
});

describe('bad input', () => {
  const valid = () => ({
    event_id: `bad-${randomUUID()}`,
    type: 'OrderPlaced',
    to: recipient(),
    data: orderData(),
  });
  const cases: Array<[string, (b: ReturnType<typeof valid>) => unknown]> = [
    ['an unknown type', (b) => ({ ...b, type: 'OrderExploded' })],
    ['a bad email address', (b) => ({ ...b, to: 'not-an-email' })],
    ['an empty event id', (b) => ({ ...b, event_id: '' })],
    ['an event id over 200 characters', (b) => ({ ...b, event_id: 'e'.repeat(201) })],
    ['an unknown field', (b) => ({ ...b, priority: 'high' })],
    ['data that is not an object', (b) => ({ ...b, data: 'hello' })],
    ['an order without items', (b) => ({ ...b, data: { ...b.data, items: [] } })],
    ['an order without an order id', (b) => ({ ...b, data: { ...b.data, order_id: undefined } })],
    [
      'an item with quantity 0',
      (b) => ({ ...b, data: { ...b.data, items: [{ name: 'x', quantity: 0, unit_price: '1.00' }] } }),
    ],
    ['a price with three decimals', (b) => ({ ...b, data: { ...b.data, total_price: '1.999' } })],
    ['a shipment without a tracking number', (b) => ({ ...b, type: 'Shipped' })],
    ['a verification without a link', (b) => ({ ...b, type: 'EmailVerification', data: { username: 'x' } })],
    ['a null order id', (b) => ({ ...b, data: { ...b.data, order_id: null } })],
  ];
  it.each(cases)('rejects %s with 422', async (_name, make) => {
    const res = await notify(make(valid()));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('names the fields that are wrong in an event', async () => {
    const body = valid();
    const res = await notify({ ...body, type: 'Shipped' });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('body.data.tracking_number');
  });

  it('answers junk with 4xx, never 5xx', async () => {
    const answers = [
      await stack.call('POST', '/notify', {
        token: stack.serviceToken,
        raw: '{"event_id":',
        headers: { 'content-type': 'application/json' },
      }),
      await stack.call('POST', '/notify', { token: stack.serviceToken, body: [] }),
      await stack.call('POST', '/notify', { token: stack.serviceToken, body: null }),
      await stack.call('POST', '/notify', {
        token: stack.serviceToken,
        raw: 'hi',
        headers: { 'content-type': 'text/plain' },
      }),
      await stack.call('GET', '/notifications?limit=0', { token: stack.issuer.admin().token }),
      await stack.call('GET', '/notifications?limit=abc', { token: stack.issuer.admin().token }),
    ];
    for (const res of answers) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
