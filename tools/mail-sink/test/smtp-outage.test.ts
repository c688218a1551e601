import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, uniqueAddress, type SinkHarness } from './sink-harness.ts';

let mail: SinkHarness;
beforeAll(async () => {
  mail = await startSink({ maxMessages: 3, maxMessageBytes: 4096 });
});
afterAll(() => mail.close());

const send = (to: string, subject = 'hello', text = 'hi') =>
  mail.transport().sendMail({ from: 'shop@minishop.local', to, subject, text });
const countTo = async (to: string) =>
  (await mail.api(`/api/v1/search?query=${encodeURIComponent(`to:${to}`)}`)).body.messages_count as number;

describe('mail sink failure modes', () => {
  it('refuses connections while SMTP is stopped and takes mail again once restarted', async () => {
    const to = uniqueAddress();
    await mail.sink.smtp.close();
    expect((await mail.api('/readyz')).status).toBe(503);
    await expect(send(to)).rejects.toMatchObject({ code: 'ESOCKET' });

    await mail.sink.smtp.listen(mail.smtpPort, '127.0.0.1');
    expect((await mail.api('/readyz')).status).toBe(200);
    await send(to);
    expect(await countTo(to)).toBe(1);
  });

  it('fails senders with the chaos error code until the trigger is cleared', async () => {
    const to = uniqueAddress();
    const set = await mail.api('/api/v1/chaos', { method: 'PUT', body: { Sender: { Probability: 100 } } });
    expect(set.body).toEqual({
      Sender: { ErrorCode: 451, Probability: 100 },
      Recipient: { ErrorCode: 451, Probability: 0 },
      Authentication: { ErrorCode: 535, Probability: 0 },
    });
    await expect(send(to)).rejects.toMatchObject({ responseCode: 451 });
    expect(await countTo(to)).toBe(0);

    await mail.api('/api/v1/chaos', { method: 'PUT', body: {} });
    await send(to);
    expect(await countTo(to)).toBe(1);
  });

  it('rejects chaos triggers outside SMTP error codes or percentages', async () => {
    const bad = await mail.api('/api/v1/chaos', {
      method: 'PUT',
      body: { Recipient: { ErrorCode: 200, Probability: 5 } },
    });
    expect(bad.status).toBe(400);
    expect((await mail.api('/api/v1/chaos')).body.Recipient.Probability).toBe(0);
  });

  it('refuses mail larger than the configured limit', async () => {
    const to = uniqueAddress();
    await expect(send(to, 'big', 'x'.repeat(8192))).rejects.toMatchObject({ responseCode: 552 });
    expect(await countTo(to)).toBe(0);
  });

  it('keeps only the newest messages once full', async () => {
    const to = uniqueAddress();
    for (const n of [1, 2, 3, 4, 5]) await send(to, `message ${n}`);
    const list = (await mail.api('/api/v1/messages')).body;
    expect(list.total).toBe(3);
    expect(list.messages.map((m: { Subject: string }) => m.Subject)).toEqual([
      'message 5',
      'message 4',
      'message 3',
    ]);
  });
});
