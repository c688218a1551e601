// /v1/events/{id}: an event as it was (or will be) sent to the webhook endpoint.
import type { FastifyInstance } from 'fastify';
import { noSuchResource } from '../domain/provider-error.ts';
import { runRead, sendResult } from '../http/request-pipeline.ts';
import type { ProviderDeps } from './provider-deps.ts';

export function eventsRoutes(app: FastifyInstance, deps: ProviderDeps): void {
  app.get<{ Params: { id: string } }>('/v1/events/:id', async (req, reply) => {
    const result = await runRead(deps, req, () => {
      const event = deps.events.event(req.params.id);
      if (!event) throw noSuchResource('event', req.params.id);
      return event;
    });
    return sendResult(deps, req, reply, result);
  });
}
