import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, uniqueAddress, type SinkHarness } from './sink-harness.ts';

let mail: SinkHarness;
beforeAll(async () => {
  mail = await startSink();
});
afterAll(() => mail.close());

const search = async (query: string) =>
  (await mail.api(`/api/v1/search?query=${encodeURIComponent(query)}`)).body;

describe('mail sink', () => {
  it('keeps mail sent over SMTP and lists it in Mailpit’s shape', async () => {
    const to = uniqueAddress();
    await mail.transport().sendMail({
      from: 'Minishop <orders@minishop.local>',
      to: `Ada Lovelace <${to}>`,
      subject: 'Your order is confirmed',
      text: 'Thanks for your order.\nTotal: 19.99 USD',
      html: '<p>Thanks for your <b>order</b>.</p>',
    });

    const list = await search(`to:${to}`);
    expect(list).toMatchObject({ messages_count: 1, count: 1, start: 0 });
    expect(list.total).toBeGreaterThanOrEqual(1);
    expect(list.messages[0]).toMatchObject({
      From: { Name: 'Minishop', Address: 'orders@minishop.local' },
      To: [{ Name: 'Ada Lovelace', Address: to }],
      Subject: 'Your order is confirmed',
      Snippet: 'Thanks for your order. Total: 19.99 USD',
      Read: false,
      Attachments: 0,
    });
    expect(list.messages[0].ID).toMatch(/^[\w-]{22}$/);
    expect(list.messages[0].Size).toBeGreaterThan(100);
    expect(Date.parse(list.messages[0].Created)).not.toBeNaN();
  });

  it('returns a whole message by id with text, HTML and blind copies, and marks it read', async () => {
    const to = uniqueAddress();
    const hidden = uniqueAddress('audit');
    await mail.transport().sendMail({
      from: 'shop@minishop.local',
      to,
      cc: 'support@minishop.local',
      bcc: hidden,
      subject: 'Shipped',
      text: 'Tracking number MS123',
      html: '<p>Tracking number <code>MS123</code></p>',
      attachments: [{ filename: 'invoice.txt', content: 'invoice body' }],
    });
    const [summary] = (await search(`to:${to}`)).messages;

    const { body: message } = await mail.api(`/api/v1/message/${summary.ID}`);
    expect(message).toMatchObject({
      ID: summary.ID,
      Subject: 'Shipped',
      To: [{ Address: to }],
      Cc: [{ Address: 'support@minishop.local' }],
      Bcc: [{ Name: '', Address: hidden }],
      ReturnPath: 'shop@minishop.local',
      Text: 'Tracking number MS123',
      HTML: '<p>Tracking number <code>MS123</code></p>',
      Attachments: [{ FileName: 'invoice.txt', ContentType: 'text/plain' }],
    });
    expect(message.MessageID).not.toContain('<');
    expect((await search(`to:${to}`)).messages[0].Read).toBe(true);
    expect((await search(`to:${hidden}`)).messages_count).toBe(1);

    const headers = await mail.api(`/api/v1/message/${summary.ID}/headers`);
    expect(headers.body.Subject).toEqual(['Shipped']);
    const raw = await mail.api(`/api/v1/message/${summary.ID}/raw`);
    expect(raw.text).toContain('Subject: Shipped');
  });

  it('pages through messages newest first with start and limit', async () => {
    const to = uniqueAddress();
    const transport = mail.transport();
    for (const n of [1, 2, 3])
      await transport.sendMail({ from: 'a@example.test', to, subject: `page ${n}`, text: 'x' });

    const page = (await mail.api(`/api/v1/search?query=to:${to}&start=1&limit=1`)).body;
    expect(page).toMatchObject({ messages_count: 3, count: 1, start: 1 });
    expect(page.messages[0].Subject).toBe('page 2');
    const newest = (await mail.api('/api/v1/messages?limit=1')).body;
    expect(newest.count).toBe(1);
    expect(newest.messages[0].Subject).toBe('page 3');
    expect((await mail.api('/api/v1/messages?limit=-1')).status).toBe(400);
  });

  it('searches by recipient, subject words, phrases and negation', async () => {
    const to = uniqueAddress();
    const transport = mail.transport();
    await transport.sendMail({
      from: 'a@example.test',
      to,
      subject: 'Payment failed',
      text: 'card declined',
    });
    await transport.sendMail({ from: 'a@example.test', to, subject: 'Order placed', text: 'order number 7' });

    const subjects = async (query: string) =>
      (await search(query)).messages.map((m: { Subject: string }) => m.Subject).sort();
    expect(await subjects(`to:${to}`)).toEqual(['Order placed', 'Payment failed']);
    expect(await subjects(`to:${to} declined`)).toEqual(['Payment failed']);
    expect(await subjects(`to:${to} subject:"order placed"`)).toEqual(['Order placed']);
    expect(await subjects(`to:${to} -subject:payment`)).toEqual(['Order placed']);
    expect(await subjects(`to:${to} is:unread`)).toEqual(['Order placed', 'Payment failed']);
    expect((await mail.api('/api/v1/search?query=')).status).toBe(400);
  });

  it('deletes chosen messages, messages matching a search, or everything', async () => {
    const to = uniqueAddress();
    const transport = mail.transport();
    for (const subject of ['one', 'two', 'three'])
      await transport.sendMail({ from: 'a@example.test', to, subject, text: subject });
    const ids = (await search(`to:${to}`)).messages.map((m: { ID: string; Subject: string }) => m);

    await mail.api('/api/v1/messages', {
      method: 'DELETE',
      body: { IDs: [ids.find((m: { Subject: string }) => m.Subject === 'one').ID] },
    });
    expect((await search(`to:${to}`)).messages_count).toBe(2);
    await mail.api(`/api/v1/search?query=${encodeURIComponent(`to:${to} subject:two`)}`, {
      method: 'DELETE',
    });
    expect((await search(`to:${to}`)).messages.map((m: { Subject: string }) => m.Subject)).toEqual(['three']);
    const blank = await mail.api('/api/v1/search?query=%20', { method: 'DELETE' });
    expect(blank.status).toBe(400);
    expect(blank.text).toBe('Error: no search query');
    expect((await search(`to:${to}`)).messages_count).toBe(1);

    const cleared = await mail.api('/api/v1/messages', { method: 'DELETE' });
    expect(cleared.text).toBe('ok');
    expect((await mail.api('/api/v1/messages')).body).toMatchObject({
      total: 0,
      unread: 0,
      count: 0,
      messages: [],
    });
  });

  it('accepts any SMTP credentials and records the user name', async () => {
    const to = uniqueAddress();
    await mail.transport({ auth: { user: 'notifications', pass: 'anything' } }).sendMail({
      from: 'a@example.test',
      to,
      subject: 'authenticated',
      text: 'hi',
    });
    expect((await search(`to:${to}`)).messages[0].Username).toBe('notifications');
  });

  it('answers for mail nothing has listed yet: its raw source, the counts, then the whole message', async () => {
    const fresh = await startSink();
    try {
      await fresh.transport().sendMail({
        from: 'a@example.test',
        to: uniqueAddress(),
        subject: 'Not listed yet',
        text: 'hello',
      });
      expect((await fresh.api('/api/v1/info')).body).toMatchObject({ Messages: 1, Unread: 1 });
      expect((await fresh.api('/api/v1/message/latest/raw')).text).toContain('Subject: Not listed yet');
      expect((await fresh.api('/api/v1/message/latest')).body).toMatchObject({
        Subject: 'Not listed yet',
        Text: expect.stringMatching(/^hello\s*$/),
      });
      expect((await fresh.api('/api/v1/info')).body).toMatchObject({ Messages: 1, Unread: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('answers 404 for an unknown message', async () => {
    expect((await mail.api('/api/v1/message/nope')).status).toBe(404);
  });
});
