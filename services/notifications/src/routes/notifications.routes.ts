// Notifications HTTP routes: services post events to be emailed; admins read the delivery log.
import { Type, type Static } from '@sinclair/typebox';
import type { App } from '@minishop/kit/http';
import type { Pool } from '@minishop/kit/db';
import { requireAdmin, requireScope } from '@minishop/kit/auth-guard';
import { MessageResponse, PageQuery, Problem, Timestamp } from '@minishop/kit/schemas';
import { listDeliveries, type Delivery } from '../data/deliveries.repository.ts';
import { EVENT_TYPES } from '../domain/notification-events.ts';
import type { DeliveryWorker } from '../domain/delivery-worker.ts';
import { acceptNotifications } from '../domain/notify.ts';
import { internalOperation } from '@minishop/kit/internal-route';

const EventType = Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)));

export const NotifyBody = Type.Object(
  {
    event_id: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'unique id of the event; the same id is delivered once',
    }),
    type: EventType,
    to: Type.String({ format: 'email', maxLength: 254 }),
    data: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'orders: order_id, items [{name, quantity, unit_price, line_total?}], total_price, currency ' +
          '(+ tracking_number, carrier? for Shipped; failure_message? for PaymentFailed); ' +
          'EmailVerification: username, verify_url',
      },
    ),
  },
  { additionalProperties: false },
);
export type NotifyBody = Static<typeof NotifyBody>;

/** Most events one batch may carry (the outbox relay claims 50 at a time). */
export const MAX_BATCH = 100;

export const NotifyBatchBody = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          ...NotifyBody.properties,
          traceparent: Type.Optional(
            Type.String({
              pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
              description: "W3C trace context the email joins (the request's when absent)",
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_BATCH },
    ),
  },
  { additionalProperties: false },
);

const NotifyBatchAnswer = Type.Object({
  results: Type.Array(
    Type.Object({
      event_id: Type.String(),
      status: Type.Union([Type.Literal('accepted'), Type.Literal('already accepted')]),
    }),
    { description: 'one per event, in order' },
  ),
});

export const DeliveryEntry = Type.Object({
  event_id: Type.String(),
  type: Type.String(),
  to: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  sent_at: Type.Union([Timestamp, Type.Null()]),
});

const LogQuery = Type.Object(
  { to: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })), ...PageQuery },
  { additionalProperties: false },
);

const toEntry = (d: Delivery): Static<typeof DeliveryEntry> => ({
  event_id: d.event_id,
  type: d.type,
  to: d.recipient,
  status: d.status,
  attempts: d.attempts,
  last_error: d.last_error,
  created_at: d.created_at.toISOString(),
  sent_at: d.sent_at ? d.sent_at.toISOString() : null,
});

export function notificationsRoutes(app: App, deps: { pool: Pool; worker: DeliveryWorker }): void {
  app.post(
    '/notify',
    {
      onRequest: requireScope('notify:send'),
      schema: internalOperation({
        tags: ['notifications'],
        summary: 'Queue an email for an event (delivered once per event_id)',
        security: [{ bearer: [] }],
        body: NotifyBody,
        response: { 202: MessageResponse, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      }),
    },
    async (request, reply) => {
      const [created] = await acceptNotifications(deps.worker, [request.body]);
      return reply
        .code(202)
        .send({ message: created ? 'notification accepted' : 'notification already accepted' });
    },
  );

  app.post(
    '/notify/batch',
    {
      onRequest: requireScope('notify:send'),
      schema: internalOperation({
        tags: ['notifications'],
        summary: 'Queue the emails of several events in one request (each delivered once per event_id)',
        description:
          'All events are checked first: one bad event refuses the whole batch and stores nothing. ' +
          'Otherwise the new events are stored in one statement and each is answered.',
        security: [{ bearer: [] }],
        body: NotifyBatchBody,
        response: { 202: NotifyBatchAnswer, 400: Problem, 401: Problem, 403: Problem, 422: Problem },
      }),
    },
    async (request, reply) => {
      const { events } = request.body;
      const created = await acceptNotifications(deps.worker, events, (i) => `body.events.${i}.data`);
      return reply.code(202).send({
        results: events.map((e, i) => ({
          event_id: e.event_id,
          status: created[i] ? ('accepted' as const) : ('already accepted' as const),
        })),
      });
    },
  );

  app.get(
    '/notifications',
    {
      onRequest: requireAdmin,
      schema: {
        tags: ['notifications'],
        summary: 'The delivery log, newest first (admin)',
        security: [{ bearer: [] }],
        querystring: LogQuery,
        response: { 200: Type.Array(DeliveryEntry), 401: Problem, 403: Problem, 422: Problem },
      },
    },
    async (request, reply) => {
      const { rows, total } = await listDeliveries(deps.pool, request.query);
      reply.header('x-total-count', String(total));
      return rows.map(toEntry);
    },
  );
}
