// The mail sink, built but not listening: the mailbox, the SMTP server that fills it, and the
// HTTP server with a Mailpit-compatible API subset and a small web page.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { MailStore } from './mail/mail.store.ts';
import { chaosRoutes } from './routes/chaos.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { inboxPageRoutes } from './routes/inbox-page.routes.ts';
import { messageRoutes } from './routes/message.routes.ts';
import { messagesRoutes } from './routes/messages.routes.ts';
import { ChaosState } from './smtp/chaos.state.ts';
import { SmtpSink } from './smtp/smtp-sink.server.ts';

export interface MailSink {
  store: MailStore;
  chaos: ChaosState;
  smtp: SmtpSink;
  http: FastifyInstance;
}

export function buildMailSink(
  config: Pick<Config, 'LOG_LEVEL' | 'MAX_MESSAGES' | 'MAX_MESSAGE_BYTES'>,
): MailSink {
  const store = new MailStore(config.MAX_MESSAGES);
  const chaos = new ChaosState();
  const http = Fastify({
    logger: { level: config.LOG_LEVEL },
    ajv: { customOptions: { removeAdditional: false } },
  });
  const smtp = new SmtpSink({ store, chaos, maxMessageBytes: config.MAX_MESSAGE_BYTES, log: http.log });
  registerRoutes(http, store, chaos, smtp);
  http.addHook('onClose', async () => smtp.close());
  return { store, chaos, smtp, http };
}

function registerRoutes(app: FastifyInstance, store: MailStore, chaos: ChaosState, smtp: SmtpSink): void {
  // Mailpit's API takes DELETE and PUT bodies that clients often send empty.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 }));
    }
  });

  healthRoutes(app, smtp);
  messagesRoutes(app, store);
  messageRoutes(app, store);
  chaosRoutes(app, chaos);
  inboxPageRoutes(app, store);

  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain').send('Not found'));
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    reply
      .code(status)
      .type('text/plain')
      .send(status === 500 ? 'Internal error' : err.message);
  });
}
