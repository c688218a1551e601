// /v1/refunds: refund a payment intent's charge; retrieve a refund.
import type { FastifyInstance } from 'fastify';
import { createRefund, retrieveRefund } from '../domain/refunds.service.ts';
import type { Params } from '../domain/request-params.ts';
import { runRead, runWrite, sendResult } from '../http/request-pipeline.ts';
import type { ProviderDeps } from './provider-deps.ts';

export function refundsRoutes(app: FastifyInstance, deps: ProviderDeps): void {
  app.post<{ Body: Params | undefined }>('/v1/refunds', async (req, reply) => {
    const result = await runWrite(deps, req, (request) => createRefund(deps, req.body ?? {}, request));
    return sendResult(deps, req, reply, result);
  });

  app.get<{ Params: { id: string } }>('/v1/refunds/:id', async (req, reply) => {
    const result = await runRead(deps, req, () => retrieveRefund(deps, req.params.id));
    return sendResult(deps, req, reply, result);
  });
}
