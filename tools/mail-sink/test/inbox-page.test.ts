import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, uniqueAddress, type SinkHarness } from './sink-harness.ts';

let mail: SinkHarness;
beforeAll(async () => {
  mail = await startSink();
});
afterAll(() => mail.close());

describe('inbox page', () => {
  it('lists mail with every piece of mail content escaped', async () => {
    const to = uniqueAddress();
    await mail.transport().sendMail({
      from: '"Evil <img src=x onerror=alert(1)>" <evil@example.test>',
      to,
      subject: '<script>alert("subject")</script> & more',
      text: '<b>not bold</b>',
      html: '<p>hello</p><script>alert("body")</script>',
    });

    const page = await fetch(`${mail.httpUrl}/`);
    const html = await page.text();
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('&lt;script&gt;alert(&quot;subject&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('Evil &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');

    const [summary] = (await mail.api(`/api/v1/search?query=to:${to}`)).body.messages;
    const view = await (await fetch(`${mail.httpUrl}/view/${summary.ID}`)).text();
    expect(view).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(view).not.toContain('<script>');
    expect(view).toContain(`<iframe sandbox src="/view/${summary.ID}/html"`);

    const body = await fetch(`${mail.httpUrl}/view/${summary.ID}/html`);
    expect(body.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/);
  });

  it('filters the page with a search', async () => {
    const to = uniqueAddress();
    await mail.transport().sendMail({ from: 'a@example.test', to, subject: 'Findable subject', text: 'x' });
    const html = await (await fetch(`${mail.httpUrl}/?query=${encodeURIComponent(`to:${to}`)}`)).text();
    expect(html).toContain('Findable subject');
    expect(html).toContain('Showing 1 of 1 message(s)');
  });
});
