// HTTP routes of shipping: Orders (or an admin) creates a shipment per paid order, its owner
// reads it, and an admin moves it forward.
import { Type, type Static } from '@sinclair/typebox';

import { authenticate, requireAdmin, requireScope, type Guard } from '@minishop/kit/auth-guard';
import { Forbidden } from '@minishop/kit/errors';
import type { App } from '@minishop/kit/http';
import { IdParams, Problem, Timestamp, Uuid } from '@minishop/kit/schemas';
import type { Shipment } from '../data/shipments.repository.ts';
import { FORWARD_STATUSES, SHIPMENT_STATUSES } from '../domain/shipment-status.ts';
import {
  cancelShipment,
  changeStatus,
  createShipment,
  getShipment,
  mayListShipments,
  shipmentsOfOrder,
  type ShippingDeps,
} from '../domain/shipments.ts';

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const Address = Type.Object(
  {
    name: Text(200),
    line1: Text(200),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Text(100),
    postal_code: Text(20),
    country: Type.String({
      minLength: 2,
      maxLength: 64,
      pattern: '\\S',
      description: 'country code or name',
    }),
  },
  { additionalProperties: false },
);

export const CreateShipmentBody = Type.Object(
  { order_id: Uuid, address: Address, user_id: Uuid },
  { additionalProperties: false },
);
export type CreateShipmentBody = Static<typeof CreateShipmentBody>;

const Status = Type.Union(
  SHIPMENT_STATUSES.map((s) => Type.Literal(s)),
  { description: 'label_created → in_transit → delivered; or cancelled before it leaves' },
);

const ForwardStatus = Type.Union(
  FORWARD_STATUSES.map((s) => Type.Literal(s)),
  { description: 'the next status: label_created → in_transit → delivered' },
);

export const ChangeStatusBody = Type.Object({ status: ForwardStatus }, { additionalProperties: false });

export const ShipmentResponse = Type.Object({
  id: Uuid,
  order_id: Uuid,
  status: Status,
  tracking_number: Type.String(),
  carrier: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ShipmentResponse = Static<typeof ShipmentResponse>;

const ListQuery = Type.Object({ order_id: Uuid }, { additionalProperties: false });

function toResponse(shipment: Shipment): ShipmentResponse {
  return {
    id: shipment.id,
    order_id: shipment.orderId,
    status: shipment.status,
    tracking_number: shipment.trackingNumber,
    carrier: shipment.carrier,
    created_at: shipment.createdAt.toISOString(),
    updated_at: shipment.updatedAt.toISOString(),
  };
}

const requireReader: Guard = async function (request) {
  if (!mayListShipments(await authenticate(request)))
    throw new Forbidden('admin role or shipping scope required');
};

const tags = ['shipping'];
const security = [{ bearer: [] }];
const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem };

export function shippingRoutes(app: App, deps: ShippingDeps): void {
  app.post(
    '/shipping',
    {
      onRequest: requireScope('shipping:create', { allowAdmin: true }),
      schema: {
        tags,
        security,
        summary: 'Create the shipment of an order (service scope shipping:create or admin)',
        description: 'Idempotent by order_id: a repeat answers 200 with the existing shipment.',
        body: CreateShipmentBody,
        response: { 200: ShipmentResponse, 201: ShipmentResponse, 409: Problem, ...errors },
      },
    },
    async (request, reply) => {
      const { order_id, user_id, address } = request.body;
      const result = await createShipment(deps, { orderId: order_id, userId: user_id, address });
      return reply.code(result.created ? 201 : 200).send(toResponse(result.shipment));
    },
  );

  app.get(
    '/shipping',
    {
      onRequest: requireReader,
      schema: {
        tags,
        security,
        summary: "An order's shipments (admin or service)",
        querystring: ListQuery,
        response: { 200: Type.Array(ShipmentResponse), ...errors },
      },
    },
    async (request) => (await shipmentsOfOrder(deps, request.query.order_id)).map(toResponse),
  );

  app.get(
    '/shipping/:id',
    {
      schema: {
        tags,
        security,
        summary: 'A shipment (its owner or an admin)',
        params: IdParams,
        response: { 200: ShipmentResponse, ...errors },
      },
    },
    async (request) => toResponse(await getShipment(deps, await authenticate(request), request.params.id)),
  );

  app.patch(
    '/shipping/:id',
    {
      onRequest: requireAdmin,
      schema: {
        tags,
        security,
        summary: 'Move a shipment forward (admin)',
        description:
          'Only the next status is accepted: label_created → in_transit → delivered; anything else is 409.',
        params: IdParams,
        body: ChangeStatusBody,
        response: { 200: ShipmentResponse, 409: Problem, ...errors },
      },
    },
    async (request) => toResponse(await changeStatus(deps, request.params.id, request.body.status)),
  );

  app.post(
    '/shipping/:id/cancel',
    {
      onRequest: requireScope('shipping:create', { allowAdmin: true }),
      schema: {
        tags,
        security,
        summary: 'Cancel a shipment that has not left yet (service scope shipping:create or admin)',
        description: 'Idempotent; 409 once the shipment is in transit or delivered.',
        params: IdParams,
        response: { 200: ShipmentResponse, 409: Problem, ...errors },
      },
    },
    async (request) => toResponse(await cancelShipment(deps, request.params.id)),
  );
}
