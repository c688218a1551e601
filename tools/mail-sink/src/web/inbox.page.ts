// The sink's small web page: the newest mail as a table (with a search box) and a page per
// message. Everything that came in by mail is escaped; a message's HTML is shown only inside a
// sandboxed frame served with its own restrictive policy.
import type { MailAddress, StoredMessage } from '../mail/stored-message.ts';
import { escapeHtml as e } from './html-escape.ts';

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}tr.unread td{font-weight:600}
.snippet{color:#666;font-weight:400}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}
iframe{width:100%;height:60vh;border:1px solid #ddd}input{width:24rem;padding:.3rem}`;

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body>${body}</body></html>`;

const address = (a: MailAddress | null) => (a ? (a.Name ? `${a.Name} <${a.Address}>` : a.Address) : '');
const addresses = (list: MailAddress[]) => list.map(address).join(', ');

export function inboxPage(messages: StoredMessage[], total: number, query: string): string {
  const rows = messages
    .map(
      (m) => `<tr class="${m.Read ? 'read' : 'unread'}">
<td>${e(m.Created.toISOString().replace('T', ' ').slice(0, 19))}</td><td>${e(address(m.From))}</td>
<td>${e(addresses(m.To))}</td>
<td><a href="/view/${encodeURIComponent(m.ID)}">${e(m.Subject || '(no subject)')}</a>
<div class="snippet">${e(m.Snippet)}</div></td></tr>`,
    )
    .join('\n');
  return layout(
    'Mail sink',
    `<h1>Mail sink</h1>
<form method="get" action="/"><input type="search" name="query" value="${e(query)}" placeholder="to:someone@example.com or words">
<button type="submit">Search</button></form>
<p>Showing ${messages.length} of ${total} message(s). JSON API: <a href="/api/v1/messages">/api/v1/messages</a></p>
<table><thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead>
<tbody>${rows || '<tr><td colspan="4">No mail yet.</td></tr>'}</tbody></table>`,
  );
}

export function messagePage(m: StoredMessage): string {
  const id = encodeURIComponent(m.ID);
  const field = (name: string, value: string) =>
    value ? `<tr><th>${name}</th><td>${e(value)}</td></tr>` : '';
  return layout(
    m.Subject || 'Message',
    `<p><a href="/">&larr; All mail</a></p>
<h1>${e(m.Subject || '(no subject)')}</h1>
<table>${field('From', address(m.From))}${field('To', addresses(m.To))}${field('Cc', addresses(m.Cc))}
${field('Bcc', addresses(m.Bcc))}${field('Date', m.Date.toISOString())}${field('Message-ID', m.MessageID)}
${field('Attachments', m.Attachments.map((a) => `${a.FileName} (${a.ContentType}, ${a.Size} bytes)`).join(', '))}</table>
${m.HTML ? `<h2>HTML</h2><iframe sandbox src="/view/${id}/html" title="HTML body"></iframe>` : ''}
<h2>Text</h2><pre>${e(m.Text)}</pre>
<p><a href="/api/v1/message/${id}/raw">Raw source</a></p>`,
  );
}
