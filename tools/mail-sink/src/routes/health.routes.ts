// Liveness and readiness (Mailpit's /livez and /readyz, and the /healthz every Minishop process has).
import type { FastifyInstance } from 'fastify';
import type { SmtpSink } from '../smtp/smtp-sink.server.ts';

export function healthRoutes(app: FastifyInstance, smtp: SmtpSink): void {
  const alive = async () => ({ status: 'ok' });
  app.get('/livez', alive);
  app.get('/healthz', alive);
  // Ready means mail can be delivered, so a stopped SMTP server makes the sink unready.
  app.get('/readyz', async (_req, reply) =>
    smtp.listening ? { status: 'ok' } : reply.code(503).send({ status: 'smtp not listening' }),
  );
}
