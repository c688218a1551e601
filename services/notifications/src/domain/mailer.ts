// Sending one email over SMTP with nodemailer: pooled connections and a timeout on connecting,
// on the server's greeting and on every socket wait, so a stalled mail server fails an attempt
// instead of hanging the worker.
import net from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Config } from '../config.ts';
import { buildEmail, sender, type OutgoingEmail } from './build-email.ts';

export interface Mailer {
  send(email: OutgoingEmail): Promise<void>;
  close(): void;
}

/** An SMTP answer that will not change on a retry (5xx): the delivery fails at once. */
export function isPermanentSmtpFailure(err: unknown): boolean {
  const code = (err as { responseCode?: unknown })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function smtpMailer(config: Config): Mailer {
  const options: SMTPPool.Options = {
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
    pool: true,
    maxConnections: config.SMTP_MAX_CONNECTIONS,
    // Reconnecting (greeting, EHLO, maybe STARTTLS and AUTH) costs more than a message.
    maxMessages: 1_000,
    connectionTimeout: config.SMTP_TIMEOUT_MS,
    greetingTimeout: config.SMTP_TIMEOUT_MS,
    socketTimeout: config.SMTP_TIMEOUT_MS,
    dnsTimeout: config.SMTP_TIMEOUT_MS,
    // Development mail servers have self-signed certificates; production ones must verify.
    // tls.connect passes net.connect options on; the typings leave noDelay out.
    tls: { rejectUnauthorized: config.MINISHOP_ENV === 'production', noDelay: true } as ConnectionOptions,
  };
  if (!config.SMTP_SECURE) options.getSocket = plainSocket(config);
  const transport = nodemailer.createTransport(options);
  const from = sender(config.SMTP_FROM);
  return {
    async send(email) {
      // Built whole, the message goes out in one socket write instead of about ten (the headers,
      // each boundary and part), so the mail server reads one chunk.
      const { envelope, raw, messageId } = buildEmail(from, email);
      // Given the id (the one in the raw message), nodemailer does not draw a random one to log.
      await transport.sendMail({ envelope, raw, messageId });
    },
    close() {
      transport.close();
    },
  };
}

/**
 * Opens the TCP connection with Nagle's algorithm off and hands it to nodemailer at once (in the
 * same tick, so its error handlers are there before any error can be), which then handles it as
 * one of its own. SMTP writes the end of a message as a small packet of its own; held back until
 * the server acknowledged the one before (which a server may delay by 40 ms), it made every
 * message wait that long. TLS from the first byte gets the same through the `tls` options.
 */
function plainSocket(config: Config) {
  return (
    _options: unknown,
    callback: (err: Error | null, socketOptions: { connection: net.Socket }) => void,
  ): void => {
    callback(null, {
      connection: net.connect({ host: config.SMTP_HOST, port: config.SMTP_PORT, noDelay: true }),
    });
  };
}
