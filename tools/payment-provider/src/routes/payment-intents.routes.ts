// /v1/payment_intents: create (optionally confirming), retrieve, confirm.
import type { FastifyInstance } from 'fastify';
import {
  confirmPaymentIntent,
  createPaymentIntent,
  retrievePaymentIntent,
} from '../domain/payment-intents.service.ts';
import type { Params } from '../domain/request-params.ts';
import { runRead, runWrite, sendResult } from '../http/request-pipeline.ts';
import type { ProviderDeps } from './provider-deps.ts';

type WithId = { Params: { id: string }; Body: Params | undefined };

export function paymentIntentsRoutes(app: FastifyInstance, deps: ProviderDeps): void {
  app.post<{ Body: Params | undefined }>('/v1/payment_intents', async (req, reply) => {
    const result = await runWrite(deps, req, (request) => createPaymentIntent(deps, req.body ?? {}, request));
    return sendResult(deps, req, reply, result, { chargesCard: true });
  });

  app.get<WithId>('/v1/payment_intents/:id', async (req, reply) => {
    const result = await runRead(deps, req, () => retrievePaymentIntent(deps, req.params.id));
    return sendResult(deps, req, reply, result);
  });

  app.post<WithId>('/v1/payment_intents/:id/confirm', async (req, reply) => {
    const result = await runWrite(deps, req, (request) =>
      confirmPaymentIntent(deps, req.params.id, req.body ?? {}, request),
    );
    return sendResult(deps, req, reply, result, { chargesCard: true });
  });
}
