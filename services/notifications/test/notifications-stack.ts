// Test stack for Notifications: the real mail sink (SMTP + its Mailpit-compatible HTTP API), the
// Notifications app with short retry delays, a fresh database and signed tokens.
import { loadConfig } from '@minishop/kit/config';
import { createPool, type Pool } from '@minishop/kit/db';
import type { App } from '@minishop/kit/http';
import { createTestIssuer, type TestIssuer } from '@minishop/kit/testing';
import { buildMailSink, type MailSink } from '../../../tools/mail-sink/src/app.ts';
import { buildApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config.ts';
import { applyMigrations } from '../src/data/migrations.ts';
import { eventually, portOf, testDatabaseUrl } from '@minishop/devstack/testing';

export { eventually };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answer bodies field by field
export type Json = any;

export const PUBLIC_URL = 'http://shop.example.test:8080';

export interface HttpAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

export interface ReceivedMail {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Address: string }>;
  From: { Address: string; Name: string } | null;
  Text: string;
  HTML: string;
}

export interface NotificationsStack {
  url: string;
  app: App;
  pool: Pool;
  issuer: TestIssuer;
  sink: MailSink;
  /** A service token as Orders, Payments, Shipping and Auth hold it. */
  serviceToken: string;
  call(method: string, path: string, options?: Parameters<typeof http>[3]): Promise<HttpAnswer>;
  /** Every message the sink received for this address, in full. */
  mailTo(address: string): Promise<ReceivedMail[]>;
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  close(): Promise<void>;
}

export async function startNotificationsStack(): Promise<NotificationsStack> {
  const sink = buildMailSink({
    LOG_LEVEL: 'silent',
    MAX_MESSAGES: 10_000,
    MAX_MESSAGE_BYTES: 10 * 1024 * 1024,
  });
  const smtpPort = await sink.smtp.listen(0, '127.0.0.1');
  await sink.http.listen({ host: '127.0.0.1', port: 0 });
  const sinkUrl = `http://127.0.0.1:${portOf(sink.http.server)}`;

  const issuer = createTestIssuer();
  const databaseUrl = await testDatabaseUrl('notifications');
  const pool = createPool(databaseUrl);
  await applyMigrations(pool);
  const config = loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtpPort),
    SMTP_TIMEOUT_MS: '2000',
    DELIVERY_POLL_INTERVAL_MS: '100',
    DELIVERY_BACKOFF_BASE_MS: '50',
    DELIVERY_BACKOFF_MAX_MS: '300',
    DELIVERY_MAX_ATTEMPTS: '100',
    PUBLIC_URL,
  });
  const app = await buildApp({ config, pool, tokens: issuer.verifier });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${portOf(app.server)}`;

  return {
    url,
    app,
    pool,
    issuer,
    sink,
    serviceToken: issuer.service(['notify:send'], 'orders'),
    call: (method, path, opts) => http(url, method, path, opts),
    async mailTo(address) {
      const query = encodeURIComponent(`to:"${address}"`);
      const list = await http(sinkUrl, 'GET', `/api/v1/search?query=${query}&limit=1000`);
      return Promise.all(
        (list.body.messages as Array<{ ID: string }>).map(
          async (m) => (await http(sinkUrl, 'GET', `/api/v1/message/${m.ID}`)).body as ReceivedMail,
        ),
      );
    },
    stopSmtp: () => sink.smtp.close(),
    async startSmtp() {
      await sink.smtp.listen(smtpPort, '127.0.0.1');
    },
    async close() {
      await app.close();
      await sink.http.close();
      await pool.end();
    },
  };
}
