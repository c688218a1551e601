// One message in Mailpit's shapes: the full message (reading it marks it read), its headers,
// and its raw source. `latest` stands for the newest message.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { MailStore } from '../mail/mail.store.ts';
import { messageDetail } from '../mail/stored-message.ts';

type ById = { Params: { id: string } };

const notFound = (reply: FastifyReply) => reply.code(404).type('text/plain').send('Message not found');

export function messageRoutes(app: FastifyInstance, store: MailStore): void {
  app.get<ById>('/api/v1/message/:id', async (req, reply) => {
    const message = await store.get(req.params.id);
    if (!message) return notFound(reply);
    message.Read = true;
    return messageDetail(message);
  });

  app.get<ById>('/api/v1/message/:id/headers', async (req, reply) => {
    const message = await store.get(req.params.id);
    return message ? message.Headers : notFound(reply);
  });

  app.get<ById>('/api/v1/message/:id/raw', async (req, reply) => {
    const raw = store.raw(req.params.id);
    if (!raw) return notFound(reply);
    return reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(raw);
  });

  app.get('/api/v1/info', async () => {
    const { total, unread } = store.stats();
    return { Version: 'minishop-mail-sink', Messages: total, Unread: unread };
  });
}
