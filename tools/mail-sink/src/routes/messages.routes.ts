// Mailpit-compatible mailbox operations: list, search, mark read/unread, delete.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MailStore } from '../mail/mail.store.ts';
import { matchesQuery, parseQuery } from '../mail/search-query.ts';
import { PageQuery, listing } from './mailbox-listing.ts';

const ListQuery = Type.Object(PageQuery);
const SearchQuery = Type.Object({ query: Type.String(), tz: Type.Optional(Type.String()), ...PageQuery });
const DeleteSearchQuery = Type.Object({ query: Type.String(), tz: Type.Optional(Type.String()) });
const ReadBody = Type.Object({
  Read: Type.Optional(Type.Boolean()),
  IDs: Type.Optional(Type.Array(Type.String())),
  Search: Type.Optional(Type.String()),
});

/** Like Mailpit, a blank search is answered with a plain-text 400, for reading and deleting alike. */
async function needsQuery(req: FastifyRequest<{ Querystring: { query: string } }>, reply: FastifyReply) {
  if (req.query.query.trim() === '') return reply.code(400).type('text/plain').send('Error: no search query');
}

export function messagesRoutes(app: FastifyInstance, store: MailStore): void {
  const search = async (query: string) => {
    const terms = parseQuery(query);
    return (await store.list()).filter((m) => matchesQuery(m, terms));
  };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/messages',
    { schema: { querystring: ListQuery } },
    async (req) => listing(store, await store.list(), req.query),
  );

  app.get<{ Querystring: Static<typeof SearchQuery> }>(
    '/api/v1/search',
    { schema: { querystring: SearchQuery }, preHandler: needsQuery },
    async (req) => listing(store, await search(req.query.query), req.query),
  );

  app.delete<{ Querystring: Static<typeof DeleteSearchQuery> }>(
    '/api/v1/search',
    { schema: { querystring: DeleteSearchQuery }, preHandler: needsQuery },
    async (req, reply) => {
      store.delete((await search(req.query.query)).map((m) => m.ID));
      return reply.type('text/plain').send('ok');
    },
  );

  // Without IDs (or without a body at all) every message is deleted, as in Mailpit.
  app.delete<{ Body: { IDs?: unknown } | null | undefined }>('/api/v1/messages', async (req, reply) => {
    const requested = req.body?.IDs;
    const ids = Array.isArray(requested)
      ? requested.filter((id): id is string => typeof id === 'string')
      : [];
    if (ids.length === 0) store.clear();
    else store.delete(ids);
    return reply.type('text/plain').send('ok');
  });

  app.put<{ Body: Static<typeof ReadBody> }>(
    '/api/v1/messages',
    { schema: { body: ReadBody } },
    async (req, reply) => {
      const { Read = false, IDs = [], Search = '' } = req.body;
      if (IDs.length > 0 && Search !== '') {
        return reply
          .code(400)
          .type('text/plain')
          .send('You may specify either IDs or a search query, not both');
      }
      const targets =
        Search !== ''
          ? await search(Search)
          : IDs.length > 0
            ? await Promise.all(IDs.map((id) => store.get(id)))
            : await store.list();
      for (const message of targets) if (message) message.Read = Read;
      return reply.type('text/plain').send('ok');
    },
  );
}
