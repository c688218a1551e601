// Test stack for Notifications: the real mail sink (SMTP + its Mailpit-compatible HTTP API), the
// Notifications app with short retry delays, a fresh database and signed tokens.
import { portOf } from '@minishop/devstack/testing';
import { http, startServiceStack, type ServiceStack } from '@minishop/devstack/service-stack';
import { buildMailSink, type MailSink } from '../../../tools/mail-sink/src/app.ts';
import { buildApp } from '../src/app.ts';
import { ConfigSchema, type Config } from '../src/config.ts';
import { applyMigrations } from '../src/data/migrations.ts';

export const PUBLIC_URL = 'http://shop.example.test:8080';

export interface ReceivedMail {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Address: string }>;
  From: { Address: string; Name: string } | null;
  Text: string;
  HTML: string;
}

export interface NotificationsStack extends ServiceStack<Config> {
  sink: MailSink;
  /** A service token as Orders, Payments, Shipping and Auth hold it. */
  serviceToken: string;
  /** Every message the sink received for this address, in full. */
  mailTo(address: string): Promise<ReceivedMail[]>;
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
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

  const stack = await startServiceStack({
    name: 'notifications',
    schema: ConfigSchema,
    env: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SMTP_TIMEOUT_MS: '2000',
      DELIVERY_POLL_INTERVAL_MS: '100',
      DELIVERY_BACKOFF_BASE_MS: '50',
      DELIVERY_BACKOFF_MAX_MS: '300',
      DELIVERY_MAX_ATTEMPTS: '100',
      PUBLIC_URL,
    },
    migrate: applyMigrations,
    build: buildApp,
  });

  return {
    ...stack,
    sink,
    serviceToken: stack.issuer.service(['notify:send'], 'orders'),
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
      await stack.close();
      await sink.http.close();
    },
  };
}
