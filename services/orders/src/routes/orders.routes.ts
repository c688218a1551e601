// Orders' HTTP routes: place, list, read, cancel, retry a payment, and Shipping's events.
import { Type } from '@sinclair/typebox';
import type { App } from '@minishop/kit/http';
import { principalOf, requireScope, requireUser } from '@minishop/kit/auth-guard';
import { IdParams, ProblemResponses } from '@minishop/kit/schemas';
import type { SagaDeps } from '../domain/checkout-saga.ts';
import { cancelOrder, getOrder, listOrders, retryPayment } from '../domain/order-actions.ts';
import { orderView } from '../domain/order-view.ts';
import { placeOrder, type Customer } from '../domain/place-order.ts';
import { applyShipmentEvent } from '../domain/shipment-events.ts';
import {
  IdempotencyHeaders,
  ListQuery,
  Order,
  PlaceOrderBody,
  RetryPaymentBody,
  ShipmentEventBody,
} from './orders.schemas.ts';
import { internalOperation } from '@minishop/kit/internal-route';

const errors = ProblemResponses;
const secured = { security: [{ bearer: [] }], tags: ['orders'] };

function customerOf(request: Parameters<typeof principalOf>[0]): Customer {
  const p = principalOf(request);
  return { id: p.id, email: p.email ?? '', role: p.role };
}

export function ordersRoutes(app: App, deps: SagaDeps): void {
  buyingRoutes(app, deps);
  changingRoutes(app, deps);
}

/** Placing an order and reading them. */
function buyingRoutes(app: App, deps: SagaDeps): void {
  app.post(
    '/orders',
    {
      onRequest: requireUser,
      schema: {
        ...secured,
        summary: 'Place an order from your cart and pay for it',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 200: Order, 201: Order, ...errors },
      },
    },
    async (request, reply) => {
      const { order, replayed } = await placeOrder(
        deps,
        customerOf(request),
        request.body,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(orderView(order, { admin: request.principal?.role === 'admin' }));
    },
  );

  app.get(
    '/orders',
    {
      onRequest: requireUser,
      schema: {
        ...secured,
        summary: 'Your orders, newest first (admins see everyone’s), optionally by status',
        querystring: ListQuery,
        response: { 200: Type.Array(Order), ...errors },
      },
    },
    async (request, reply) => {
      const customer = customerOf(request);
      const { total, orders } = await listOrders(deps, customer, request.query);
      reply.header('x-total-count', String(total));
      return orders.map((o) => orderView(o, { admin: customer.role === 'admin' }));
    },
  );

  app.get(
    '/orders/:id',
    {
      onRequest: requireUser,
      schema: {
        ...secured,
        summary: 'One order with its status history',
        params: IdParams,
        response: { 200: Order, ...errors },
      },
    },
    async (request) => {
      const customer = customerOf(request);
      const { order, history } = await getOrder(deps, customer, request.params.id);
      return orderView(order, { history, admin: customer.role === 'admin' });
    },
  );
}

/** What changes an order after it was placed: cancelling, paying again, shipment events. */
function changingRoutes(app: App, deps: SagaDeps): void {
  app.post(
    '/orders/:id/cancel',
    {
      onRequest: requireUser,
      schema: {
        ...secured,
        summary: 'Cancel an order before it ships (a paid order is refunded)',
        params: IdParams,
        response: { 200: Order, ...errors },
      },
    },
    async (request) => {
      const customer = customerOf(request);
      return orderView(await cancelOrder(deps, customer, request.params.id), {
        admin: customer.role === 'admin',
      });
    },
  );

  app.post(
    '/orders/:id/retry-payment',
    {
      onRequest: requireUser,
      schema: {
        ...secured,
        summary: 'Pay again for an order whose payment failed',
        params: IdParams,
        body: RetryPaymentBody,
        response: { 200: Order, ...errors },
      },
    },
    async (request) =>
      orderView(
        await retryPayment(deps, customerOf(request), request.params.id, request.body?.payment_method),
      ),
  );

  app.post(
    '/orders/:id/shipment-events',
    {
      onRequest: requireScope('orders:update'),
      schema: internalOperation({
        ...secured,
        summary: 'Shipment status changes reported by Shipping (service scope orders:update)',
        params: IdParams,
        body: ShipmentEventBody,
        response: { 202: Type.Object({ message: Type.String() }), ...errors },
      }),
    },
    async (request, reply) => {
      await applyShipmentEvent(deps, request.params.id, request.body);
      return reply.code(202).send({ message: 'event applied' });
    },
  );
}
