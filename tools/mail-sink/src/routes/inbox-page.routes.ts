// The human-facing pages: the inbox at /, one message at /view/{ID}, and its HTML body framed
// under a policy that forbids scripts, forms and any network access.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { MailStore } from '../mail/mail.store.ts';
import { matchesQuery, parseQuery } from '../mail/search-query.ts';
import { inboxPage, messagePage } from '../web/inbox.page.ts';

const PAGE_SIZE = 200;
const PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'";
const BODY_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const InboxQuery = Type.Object({ query: Type.Optional(Type.String({ maxLength: 1000 })) });

export function inboxPageRoutes(app: FastifyInstance, store: MailStore): void {
  app.get<{ Querystring: Static<typeof InboxQuery> }>(
    '/',
    { schema: { querystring: InboxQuery } },
    async (req, reply) => {
      const query = req.query.query?.trim() ?? '';
      const terms = parseQuery(query);
      const all = await store.list();
      const matched = query ? all.filter((m) => matchesQuery(m, terms)) : all;
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', PAGE_POLICY)
        .header('x-frame-options', 'DENY')
        .send(inboxPage(matched.slice(0, PAGE_SIZE), matched.length, query));
    },
  );

  app.get<{ Params: { id: string } }>('/view/:id', async (req, reply) => {
    const message = await store.get(req.params.id);
    if (!message) return reply.code(404).type('text/plain').send('Message not found');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PAGE_POLICY)
      .header('x-frame-options', 'DENY')
      .send(messagePage(message));
  });

  app.get<{ Params: { id: string } }>('/view/:id/html', async (req, reply) => {
    const message = await store.get(req.params.id);
    if (!message) return reply.code(404).type('text/plain').send('Message not found');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', BODY_POLICY)
      .header('x-frame-options', 'SAMEORIGIN')
      .header('x-content-type-options', 'nosniff')
      .send(message.HTML);
  });
}
