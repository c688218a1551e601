// Payments HTTP routes: internal charge/refund/read endpoints for Orders (service scopes), the
// customer's payment retry and payment lookup, and the provider's signed webhook.
import { Type } from '@sinclair/typebox';
import type { App } from '@minishop/kit/http';
import { authenticate, requireScope, requireUser, principalOf } from '@minishop/kit/auth-guard';
import { IdParams, ProblemResponses } from '@minishop/kit/schemas';
import { chargeAttempt } from '../domain/charge.ts';
import { paymentFor, paymentsOfOrder } from '../domain/read-payments.ts';
import { refundOrder } from '../domain/refund.ts';
import { retryOrderPayment, type RetryDeps } from '../domain/retry-payment.ts';
import {
  ChargeBody,
  OrderParams,
  PaymentDetails,
  PaymentResponse,
  RefundBody,
  RetryBody,
  toPaymentDetails,
  toPaymentResponse,
} from './payment.schemas.ts';
import { internalOperation } from '@minishop/kit/internal-route';

const tags = ['payments'];
const security = [{ bearer: [] }];
const problems = ProblemResponses;

export function paymentsRoutes(app: App, deps: RetryDeps): void {
  app.post(
    '/payments/charges',
    {
      onRequest: requireScope('payments:charge'),
      schema: internalOperation({
        tags,
        security,
        summary: 'Charge one attempt of an order (idempotent by order and attempt)',
        description:
          'Answers the attempt in its current status. `pending` means the provider has not given a final ' +
          'answer yet (timeout, provider error); repeating the same call later is safe and never charges twice.',
        body: ChargeBody,
        response: { 200: PaymentDetails, 201: PaymentDetails, ...problems },
      }),
    },
    async (request, reply) => {
      const { payment, created } = await chargeAttempt(deps, {
        ...request.body,
        payment_method: request.body.payment_method ?? 'pm_card_visa',
      });
      return reply.code(created ? 201 : 200).send(toPaymentDetails(payment));
    },
  );

  app.post(
    '/payments/refunds',
    {
      onRequest: requireScope('payments:refund'),
      schema: internalOperation({
        tags,
        security,
        summary: "Refund an order's captured payment (idempotent)",
        body: RefundBody,
        response: { 200: PaymentDetails, ...problems },
      }),
    },
    async (request) => toPaymentDetails(await refundOrder(deps, request.body.order_id)),
  );

  app.get(
    '/payments/by-order/:order_id',
    {
      onRequest: requireScope('payments:read', { allowAdmin: true }),
      schema: {
        tags,
        security,
        summary: 'Every payment attempt of an order, oldest first',
        params: OrderParams,
        response: { 200: Type.Array(PaymentDetails), ...problems },
      },
    },
    async (request) => (await paymentsOfOrder(deps, request.params.order_id)).map(toPaymentDetails),
  );

  app.get(
    '/payments/:id',
    {
      onRequest: async (request) => {
        await authenticate(request);
      },
      schema: {
        tags,
        security,
        summary: 'A payment (its owner or an admin)',
        params: IdParams,
        response: { 200: PaymentResponse, ...problems },
      },
    },
    async (request) => toPaymentResponse(await paymentFor(deps, principalOf(request), request.params.id)),
  );

  app.post(
    '/payments',
    {
      onRequest: requireUser,
      schema: {
        tags,
        security,
        summary: 'Retry the payment of an order whose payment failed',
        description: 'The amount always comes from the order. Answers the new payment attempt.',
        body: RetryBody,
        response: { 201: PaymentResponse, ...problems },
      },
    },
    async (request, reply) => {
      const payment = await retryOrderPayment(deps, principalOf(request), request.body, String(request.id));
      return reply.code(201).send(toPaymentResponse(payment));
    },
  );
}
