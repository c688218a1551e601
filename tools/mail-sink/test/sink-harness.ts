// Starts a mail sink on free ports and gives tests a nodemailer transport pointed at it and a
// small client for its HTTP API.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { buildMailSink, type MailSink } from '../src/app.ts';

// Responses are asserted field by field with toMatchObject, so their bodies stay loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type JsonBody = any;

export interface SinkHarness {
  sink: MailSink;
  smtpPort: number;
  httpUrl: string;
  transport(options?: { auth?: { user: string; pass: string } }): nodemailer.Transporter;
  api(
    path: string,
    init?: { method?: string; body?: unknown },
  ): Promise<{ status: number; body: JsonBody; text: string }>;
  close(): Promise<void>;
}

export async function startSink(
  options: { maxMessages?: number; maxMessageBytes?: number } = {},
): Promise<SinkHarness> {
  const sink = buildMailSink({
    LOG_LEVEL: 'silent',
    MAX_MESSAGES: options.maxMessages ?? 5000,
    MAX_MESSAGE_BYTES: options.maxMessageBytes ?? 10 * 1024 * 1024,
  });
  const smtpPort = await sink.smtp.listen(0, '127.0.0.1');
  await sink.http.listen({ host: '127.0.0.1', port: 0 });
  const httpUrl = `http://127.0.0.1:${(sink.http.server.address() as AddressInfo).port}`;
  return {
    sink,
    smtpPort,
    httpUrl,
    transport: ({ auth } = {}) =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        ...(auth ? { auth } : {}),
        connectionTimeout: 5000,
        greetingTimeout: 5000,
        socketTimeout: 5000,
      }),
    api: async (path, init = {}) => {
      const response = await fetch(`${httpUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      const json = response.headers.get('content-type')?.includes('application/json')
        ? JSON.parse(text)
        : undefined;
      return { status: response.status, body: json, text };
    },
    close: () => sink.http.close(),
  };
}

/** A recipient address no other test uses. */
export const uniqueAddress = (name = 'customer') => `${name}-${randomUUID().slice(0, 8)}@example.test`;
