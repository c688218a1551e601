// One email's bytes, built in a single synchronous pass from nodemailer's own MIME pieces: its
// MimeNode writes every header (RFC 2047 words, folding, addresses, Date, MIME-Version, each
// part's charset and transfer encoding) and its quoted-printable and base64 encoders write the
// bodies. Only the multipart/alternative frame around the two parts is put together here: the
// frame nodemailer streams (a Transform stream per part, a tick between pieces) is what a message
// cost most of its CPU.
import { createHash, randomUUID } from 'node:crypto';
import * as base64 from 'nodemailer/lib/base64/index.js';
import MimeNode from 'nodemailer/lib/mime-node/index.js';
import * as qp from 'nodemailer/lib/qp/index.js';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per event, so a receiving system can recognise a repeat. */
  eventId: string;
}

export interface BuiltEmail {
  /** MAIL FROM and RCPT TO, taken from the From and To headers. */
  envelope: { from: string; to: string[] };
  raw: string;
  /** The Message-ID header's value, with its angle brackets. */
  messageId: string;
}

/** Who sends: the From header, and the domain of its Message-IDs (that of the From address). */
export interface Sender {
  from: string;
  domain: string;
}

/** The sender of every email from this From address, worked out once. */
export function sender(from: string): Sender {
  return { from, domain: /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'minishop.local' };
}

/** The same event id always gives the same Message-ID, so a repeated send is seen as one email. */
export function messageId(eventId: string, domain: string): string {
  return `<${createHash('sha256').update(eventId).digest('hex').slice(0, 32)}@${domain}>`;
}

/**
 * The message nodemailer's MailComposer makes of `{from, to, subject, text, html, messageId,
 * headers}` (text and HTML not empty), byte for byte but for its random boundary and the Date: the
 * same headers in the same order, the same transfer encoding per part (7bit, quoted-printable or
 * base64, as nodemailer chooses for the content) and the same line wrapping.
 */
export function buildEmail({ from, domain }: Sender, email: OutgoingEmail): BuiltEmail {
  // Its boundary's random part from a UUID (Node draws them from a pool); by default MimeNode
  // calls randomBytes for every node, which cost a tenth of a build.
  const root = new MimeNode('multipart/alternative', {
    baseBoundary: randomUUID().slice(19).replace('-', ''),
  });
  root.addHeader('X-Minishop-Event-Id', email.eventId);
  root.setHeader('From', from);
  root.setHeader('To', email.to);
  root.setHeader('Subject', email.subject);
  const id = messageId(email.eventId, domain);
  root.setHeader('Message-ID', id);
  const parts = [part(root, 'text/plain', email.text), part(root, 'text/html', email.html)];
  // Building the root's headers gives it its boundary.
  const head = `${root.buildHeaders()}\r\n\r\n`;
  const body = parts.map((text, i) => `${i > 0 ? '\r\n' : ''}--${root.boundary}\r\n${text}`);
  const envelope = root.getEnvelope();
  return {
    envelope: { from: envelope.from || '', to: envelope.to },
    raw: `${head}${body.join('')}\r\n--${root.boundary}--\r\n`,
    messageId: id,
  };
}

/** A part's headers and its body in the transfer encoding those headers name. */
function part(root: MimeNode, type: string, content: string): string {
  // The parts share the root's random base for boundaries; by default each draws its own.
  const node = root.createChild(`${type}; charset=utf-8`, { baseBoundary: root.baseBoundary });
  node.setContent(content);
  // Building the headers chooses the encoding for the content and writes it into them.
  const headers = node.buildHeaders();
  switch (node.getHeader('Content-Transfer-Encoding')) {
    case 'quoted-printable':
      return `${headers}\r\n\r\n${qp.wrap(quotedPrintable(content), 76)}`;
    case 'base64':
      return `${headers}\r\n\r\n${base64.wrap(base64.encode(content), 76)}`;
    default:
      return `${headers}\r\n\r\n${content}`;
  }
}

/**
 * Runs of characters that quoted-printable writes as they are go through untouched; nodemailer's
 * encoder is given only the rest (and spaces or tabs before a line's end, which it escapes). The
 * result is its encoding of the whole text, built without a string per byte.
 */
function quotedPrintable(content: string): string {
  return content.replace(/[^\t\n\r\x20-\x3c\x3e-\x7e]+|[ \t]+(?=[\r\n]|$)/g, (run) => qp.encode(run));
}
