// Orders' HTTP routes: place, list, read, cancel, retry a payment, and Shipping's events.
import { Type } from '@sinclair/typebox';
import type { App } from '@minishop/kit/http';
import { principalOf, requireScope, requireUser } from '@minishop/kit/auth-guard';
import {
  IdParams,
  Money,
  PageQuery,
  Timestamp,
  Uuid,
  Currency,
  ProblemResponses,
} from '@minishop/kit/schemas';
import { listOrders } from '../data/orders.repository.ts';
import type { SagaDeps } from '../domain/checkout-saga.ts';
import { orderView } from '../domain/order-view.ts';
import {
  applyShipmentEvent,
  cancelOrder,
  getOrder,
  placeOrder,
  retryPayment,
  type Customer,
} from '../domain/place-order.ts';

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });

const ShippingAddress = Type.Object(
  {
    name: Text(200),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Text(100),
    postal_code: Text(20),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code' }),
  },
  { additionalProperties: false },
);

const PaymentMethod = Type.String({
  pattern: '^pm_[A-Za-z0-9_]{1,100}$',
  description: 'provider test payment method, e.g. pm_card_visa (default) or pm_card_chargeDeclined',
});

const PlaceOrderBody = Type.Object(
  { shipping_address: ShippingAddress, payment_method: Type.Optional(PaymentMethod) },
  { additionalProperties: false },
);

const OrderItem = Type.Object({
  product_id: Uuid,
  name: Type.String(),
  unit_price: Money,
  quantity: Type.Integer(),
  line_total: Money,
});

const Status = Type.Union(
  ['pending', 'paid', 'shipped', 'delivered', 'payment_failed', 'cancelled'].map((s) => Type.Literal(s)),
);

const Order = Type.Object({
  id: Uuid,
  user_id: Uuid,
  items: Type.Array(OrderItem),
  total_price: Money,
  currency: Currency,
  status: Status,
  payment_id: Type.Union([Uuid, Type.Null()]),
  shipment_id: Type.Union([Uuid, Type.Null()]),
  shipping_address: ShippingAddress,
  attention: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'admins only: why this order needs a person to look at it',
    }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
  history: Type.Optional(
    Type.Array(
      Type.Object({ status: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), at: Timestamp }),
    ),
  ),
});

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }),
  ),
});

const errors = ProblemResponses;
const secured = { security: [{ bearer: [] }], tags: ['orders'] };

function customerOf(request: Parameters<typeof principalOf>[0]): Customer {
  const p = principalOf(request);
  return { id: p.id, email: p.email ?? '', role: p.role };
}

export function ordersRoutes(app: App, deps: SagaDeps): void {
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
        summary: 'Your orders, newest first (admins see everyone’s)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: Type.Array(Order), ...errors },
      },
    },
    async (request, reply) => {
      const customer = customerOf(request);
      const { total, orders } = await listOrders(deps.pool, {
        userId: customer.role === 'admin' ? null : customer.id,
        limit: request.query.limit,
        offset: request.query.offset,
      });
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
        body: Type.Optional(
          Type.Object({ payment_method: Type.Optional(PaymentMethod) }, { additionalProperties: false }),
        ),
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
      schema: {
        ...secured,
        summary: 'Shipment status changes reported by Shipping (service scope orders:update)',
        params: IdParams,
        body: Type.Object(
          {
            event_id: Type.String({ minLength: 1, maxLength: 200 }),
            shipment_id: Uuid,
            status: Type.Union([Type.Literal('in_transit'), Type.Literal('delivered')]),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ message: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      await applyShipmentEvent(deps, request.params.id, request.body);
      return reply.code(202).send({ message: 'event applied' });
    },
  );
}
