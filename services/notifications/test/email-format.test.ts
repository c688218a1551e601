// What a mail program makes of the emails Notifications builds: each one parsed by a real MIME
// parser (mailparser, as the mail sink and many mail servers use) gives back the subject, the
// addresses, the Message-ID and event header, and the text and HTML exactly as rendered; and the
// same through SMTP to the mail sink, envelope included.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@minishop/kit/config';
import { portOf } from '@minishop/devstack/testing';
import { buildMailSink, type MailSink } from '../../../tools/mail-sink/src/app.ts';
import { ConfigSchema } from '../src/config.ts';
import { buildEmail, sender, type OutgoingEmail } from '../src/domain/build-email.ts';
import { smtpMailer, type Mailer } from '../src/domain/mailer.ts';
import { renderEmail } from '../src/domain/templates.ts';
import type { EventType } from '../src/domain/notification-events.ts';

const FROM = 'Minishop <no-reply@minishop.local>';

const order = {
  order_id: '3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b',
  username: 'Zoë',
  items: [
    { name: 'Café crème 🎉 mug', quantity: 2, unit_price: '12.50' },
    { name: `Tea towel, ${'extra long name '.repeat(6)}`, quantity: 1, unit_price: '7.99' },
  ],
  total_price: '32.99',
  currency: 'EUR',
  shipping_address: { name: 'Zoë Ångström', line1: '.5 Rue de la Paix', city: 'Paris', country: 'FR' },
};

/** Lines over 76 characters, lines that start with a dot (SMTP's end of data), and non-ASCII. */
const tricky: OutgoingEmail = {
  to: 'zoe@example.test',
  eventId: 'OrderPlaced-3f2a9c1e',
  subject: 'Your Café crème 🎉 order is on its way, with a subject longer than one header line',
  text: `Hello Zoë,\n.\n.a line that starts with a dot\n..two dots\n${'word '.repeat(40)}end\n-- \nMinishop`,
  html: `<p>Hello Zoë,</p>\n.\n.<b>dot</b>\n<p style="color:#222">${'wörd '.repeat(40)}</p>`,
};

async function parse(email: OutgoingEmail) {
  return simpleParser(buildEmail(sender(FROM), email).raw);
}

describe('a built email, as a mail program parses it', () => {
  it('gives back the subject, addresses, headers, text and HTML as they were given', async () => {
    const mail = await parse(tricky);
    expect(mail.subject).toBe(tricky.subject);
    expect(mail.from?.value).toEqual([{ name: 'Minishop', address: 'no-reply@minishop.local' }]);
    expect(mail.to).toMatchObject({ value: [{ name: '', address: 'zoe@example.test' }] });
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@minishop\.local>$/);
    expect(mail.headers.get('x-minishop-event-id')).toBe(tricky.eventId);
    expect(mail.headers.get('mime-version')).toBe('1.0');
    expect(Math.abs(mail.date!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(mail.text).toBe(tricky.text);
    expect(mail.html).toBe(tricky.html);
  });

  it.each<EventType>(['OrderPlaced', 'PaymentConfirmed', 'Shipped', 'OrderCancelled'])(
    'gives back the %s email exactly as rendered',
    async (type) => {
      const data = { ...order, tracking_number: 'MS1234567890', reason: 'requested', refunded: true };
      const rendered = renderEmail(type, data, { publicUrl: 'http://shop.example.test' });
      const mail = await parse({ to: 'zoe@example.test', eventId: `${type}-1`, ...rendered });
      expect(mail.subject).toBe(rendered.subject);
      expect(mail.text).toBe(rendered.text);
      expect(mail.html).toBe(rendered.html);
    },
  );

  it('is ASCII with every line within 78 characters, whatever the content', () => {
    const { raw } = buildEmail(sender(FROM), tricky);
    expect(raw).toMatch(/^[\x00-\x7f]*$/);
    expect(raw.split(/\r?\n/).filter((line) => line.length > 78)).toEqual([]);
    expect(raw).toContain('\r\nContent-Type: multipart/alternative;');
    expect(raw.match(/^Content-Type: text\/(plain|html); charset=utf-8$/gm)).toHaveLength(2);
  });

  it('has the same Message-ID for the same event id, and another for another', async () => {
    const first = await parse(tricky);
    const again = await parse({ ...tricky, subject: 'Another subject', text: 'other', html: '<p>other</p>' });
    const other = await parse({ ...tricky, eventId: 'OrderPlaced-other' });
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
  });

  it('is addressed from the sender to the recipient only', () => {
    expect(buildEmail(sender(FROM), tricky).envelope).toEqual({
      from: 'no-reply@minishop.local',
      to: ['zoe@example.test'],
    });
  });
});

describe('a built email, through SMTP to a mail server', () => {
  let sink: MailSink;
  let sinkUrl: string;
  let mailer: Mailer;
  beforeAll(async () => {
    sink = buildMailSink({ LOG_LEVEL: 'silent', MAX_MESSAGES: 100, MAX_MESSAGE_BYTES: 1024 * 1024 });
    const smtpPort = await sink.smtp.listen(0, '127.0.0.1');
    await sink.http.listen({ host: '127.0.0.1', port: 0 });
    sinkUrl = `http://127.0.0.1:${portOf(sink.http.server)}`;
    mailer = smtpMailer(
      loadConfig(ConfigSchema, { MINISHOP_ENV: 'test', SMTP_PORT: String(smtpPort), SMTP_FROM: FROM }),
    );
  });
  afterAll(async () => {
    mailer?.close();
    await sink?.smtp.close();
    await sink?.http.close();
  });

  it('arrives as it was given, sent from the sender to the recipient only', async () => {
    await mailer.send(tricky);
    const list = await (await fetch(`${sinkUrl}/api/v1/messages`)).json();
    expect(list.messages).toHaveLength(1);
    const mail = await (await fetch(`${sinkUrl}/api/v1/message/${list.messages[0].ID}`)).json();
    expect(mail).toMatchObject({
      Subject: tricky.subject,
      From: { Name: 'Minishop', Address: 'no-reply@minishop.local' },
      To: [{ Name: '', Address: 'zoe@example.test' }],
      Bcc: [],
      ReturnPath: 'no-reply@minishop.local',
      MessageID: (await parse(tricky)).messageId!.replace(/^<|>$/g, ''),
      Text: tricky.text,
      HTML: tricky.html,
    });
  });
});
