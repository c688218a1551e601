// Stock reservation routes for Orders' checkout saga; callable only with a service token
// holding the catalog:reserve scope.
import { Type } from '@sinclair/typebox';
import { requireScope } from '@minishop/kit/auth-guard';
import type { App } from '@minishop/kit/http';
import { Currency, Money, Problem, Timestamp, Uuid } from '@minishop/kit/schemas';
import type { CatalogContext } from '../domain/context.ts';
import * as reservations from '../domain/reservations.ts';
import { internalOperation } from '@minishop/kit/internal-route';

const TAG = 'reservations';
const SECURED = [{ bearer: [] }];
const guard = requireScope('catalog:reserve');

const ReservationResponse = Type.Object({
  order_id: Uuid,
  status: Type.Union([
    Type.Literal('reserved'),
    Type.Literal('committed'),
    Type.Literal('released'),
    Type.Literal('expired'),
  ]),
  items: Type.Array(
    Type.Object({
      product_id: Uuid,
      name: Type.String(),
      unit_price: { ...Money, description: 'price when reserved: the price the order charges' },
      quantity: Type.Integer(),
    }),
  ),
  total_price: Money,
  currency: Currency,
  expires_at: { ...Timestamp, description: 'when an uncommitted reservation returns its units to stock' },
  created_at: Timestamp,
  updated_at: Timestamp,
});

const OutOfStock = Type.Object(
  {
    ...Problem.properties,
    short: Type.Optional(
      Type.Array(Type.Object({ product_id: Uuid, requested: Type.Integer(), available: Type.Integer() })),
    ),
  },
  { additionalProperties: true, description: 'conflict; `short` names the items without enough stock' },
);

const ReserveBody = Type.Object(
  {
    order_id: Uuid,
    items: Type.Array(
      Type.Object(
        { product_id: Uuid, quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

const OrderParams = Type.Object({ order_id: Uuid }, { additionalProperties: false });

const Errors = { 401: Problem, 403: Problem, 404: Problem, 422: Problem };

export function reservationRoutes(app: App, ctx: CatalogContext): void {
  app.post(
    '/catalog/reservations',
    {
      onRequest: guard,
      schema: internalOperation({
        tags: [TAG],
        summary:
          'Reserve stock for every item of an order, or none (201 created, 200 when it already exists)',
        description:
          'Idempotent by order_id: repeating it with the same items returns the existing reservation ' +
          '(200); a released or expired one is taken from stock again (a retried payment). ' +
          'The same order_id with different items is 422. ' +
          '409 when some items are short (unknown or deleted products count as 0 available).',
        security: SECURED,
        body: ReserveBody,
        response: {
          200: ReservationResponse,
          201: ReservationResponse,
          400: Problem,
          409: OutOfStock,
          ...Errors,
        },
      }),
    },
    async (request, reply) => {
      const { created, reservation } = await reservations.reserveStock(ctx, request.body);
      return reply.code(created ? 201 : 200).send(reservation);
    },
  );

  app.get(
    '/catalog/reservations/:order_id',
    {
      onRequest: guard,
      schema: internalOperation({
        tags: [TAG],
        summary: 'Get the stock reservation of an order',
        security: SECURED,
        params: OrderParams,
        response: { 200: ReservationResponse, ...Errors },
      }),
    },
    async (request) => reservations.getReservation(ctx, request.params.order_id),
  );

  app.post(
    '/catalog/reservations/:order_id/commit',
    {
      onRequest: guard,
      schema: internalOperation({
        tags: [TAG],
        summary: 'Commit a reservation: its units are sold (idempotent)',
        description:
          'reserved → committed. An expired reservation is committed only if its units are still in stock ' +
          '(else 409 naming the short items); a released one is 409.',
        security: SECURED,
        params: OrderParams,
        response: { 200: ReservationResponse, 409: OutOfStock, ...Errors },
      }),
    },
    async (request) => reservations.commitReservation(ctx, request.params.order_id),
  );

  app.post(
    '/catalog/reservations/:order_id/release',
    {
      onRequest: guard,
      schema: internalOperation({
        tags: [TAG],
        summary: 'Release a reservation: its units go back to stock (idempotent)',
        description:
          'reserved or committed → released. Releasing a released or expired reservation changes nothing; ' +
          'releasing a committed one returns the sold units (a cancelled, refunded order).',
        security: SECURED,
        params: OrderParams,
        response: { 200: ReservationResponse, ...Errors },
      }),
    },
    async (request) => reservations.releaseReservation(ctx, request.params.order_id),
  );
}
