// Turns raw mail received over SMTP into a StoredMessage: parsed with mailparser, addresses and
// attachments in Mailpit's shape, a short snippet, and the text searches look in.
import { simpleParser, type AddressObject, type Attachment, type EmailAddress } from 'mailparser';
import type { AttachmentInfo, MailAddress, StoredMessage } from './stored-message.ts';

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
  username: string;
}

const SNIPPET_LENGTH = 250;

export async function buildMessage(
  raw: Buffer,
  envelope: Envelope,
  { ID, receivedAt }: { ID: string; receivedAt: Date },
): Promise<StoredMessage> {
  // The mail was accepted before it was parsed: if it cannot be, it stays, raw source and all.
  const parsed = await simpleParser(raw, { skipImageLinks: true }).catch(() => simpleParser(''));
  const from = addresses(parsed.from)[0] ?? null;
  const to = addresses(parsed.to);
  const cc = addresses(parsed.cc);
  const listed = new Set([...to, ...cc].map((a) => a.Address.toLowerCase()));
  // Recipients named only in the envelope were blind copies.
  const bcc = [
    ...addresses(parsed.bcc),
    ...envelope.rcptTo.filter((r) => !listed.has(r.toLowerCase())).map((r) => ({ Name: '', Address: r })),
  ].filter((a, i, all) => all.findIndex((b) => b.Address.toLowerCase() === a.Address.toLowerCase()) === i);
  const html = parsed.html || '';
  const text = parsed.text ?? '';
  const subject = parsed.subject ?? '';
  const attachments = parsed.attachments.filter((a) => !a.related).map(attachmentInfo);
  const inline = parsed.attachments.filter((a) => a.related).map(attachmentInfo);
  const everyone = [from, ...to, ...cc, ...bcc].filter((a): a is MailAddress => a !== null);

  return {
    ID,
    MessageID: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
    Read: false,
    From: from,
    To: to,
    Cc: cc,
    Bcc: bcc,
    ReplyTo: addresses(parsed.replyTo),
    ReturnPath: envelope.mailFrom,
    Subject: subject,
    Created: receivedAt,
    Date: parsed.date ?? receivedAt,
    Username: envelope.username,
    Text: text,
    HTML: html,
    Size: raw.length,
    Snippet: collapse(text || stripTags(html)).slice(0, SNIPPET_LENGTH),
    Attachments: attachments,
    Inline: inline,
    Headers: headerMap(parsed.headerLines),
    searchText: [subject, ...everyone.map((a) => `${a.Name} ${a.Address}`), text, stripTags(html)]
      .join('\n')
      .toLowerCase(),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const flatten = (list: EmailAddress[]): MailAddress[] =>
    list.flatMap((a) =>
      a.group ? flatten(a.group) : a.address ? [{ Name: a.name ?? '', Address: a.address }] : [],
    );
  return objects.flatMap((o) => flatten(o.value));
}

function attachmentInfo(a: Attachment, index: number): AttachmentInfo {
  return {
    PartID: a.partId ?? String(index + 1),
    FileName: a.filename ?? '',
    ContentType: a.contentType,
    ContentID: a.cid ?? '',
    Size: a.size,
  };
}

function headerMap(lines: ReadonlyArray<{ key: string; line: string }>): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const { line } of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    (headers[name] ??= []).push(value);
  }
  return headers;
}

function stripTags(html: string): string {
  return html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
