// /_sim: controls and views that only the simulator has — fault switches for tests, the webhook
// endpoint, and read-outs for audits (every payment intent, every event and its deliveries).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FaultsPatch } from '../faults/faults.state.ts';
import { paymentIntentObject } from '../domain/stripe-objects.ts';
import type { ProviderDeps } from './provider-deps.ts';

const WebhookEndpoint = Type.Object(
  { url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()]) },
  { additionalProperties: false },
);
const METADATA_FILTER = /^metadata\[(.+)\]$/;

export function simAdminRoutes(app: FastifyInstance, deps: ProviderDeps): void {
  app.get('/_sim/faults', async () => deps.faults.get());

  app.post<{ Body: FaultsPatch }>('/_sim/faults', { schema: { body: FaultsPatch } }, async (req) => {
    const faults = deps.faults.update(req.body);
    req.log.info({ faults }, 'faults changed');
    return faults;
  });

  app.delete('/_sim/faults', async () => deps.faults.reset());

  app.put<{ Body: Static<typeof WebhookEndpoint> }>(
    '/_sim/webhook_endpoint',
    { schema: { body: WebhookEndpoint } },
    async (req) => {
      deps.events.setEndpoint(req.body.url ?? undefined);
      return { url: deps.events.endpoint ?? null };
    },
  );

  app.get('/_sim/webhook_endpoint', async () => ({ url: deps.events.endpoint ?? null }));

  // ?status=succeeded&metadata[order_id]=42 — every filter must match.
  app.get<{ Querystring: Record<string, string | string[]> }>('/_sim/payment_intents', async (req) => {
    const filters = Object.entries(req.query).flatMap(([key, value]) => {
      const wanted = Array.isArray(value) ? value.at(-1) : value;
      const field = METADATA_FILTER.exec(key)?.[1];
      if (field) return [(pi: ReturnType<typeof paymentIntentObject>) => pi.metadata[field] === wanted];
      if (key === 'status') return [(pi: ReturnType<typeof paymentIntentObject>) => pi.status === wanted];
      return [];
    });
    // Audits also need what was refunded of each intent's charge, which Stripe keeps on the charge.
    const data = deps.ledger
      .allPaymentIntents()
      .map((pi) => ({
        ...paymentIntentObject(pi),
        amount_refunded: (pi.latest_charge && deps.ledger.charge(pi.latest_charge)?.amount_refunded) || 0,
      }))
      .filter((pi) => filters.every((matches) => matches(pi)));
    return { object: 'list', count: data.length, data };
  });

  app.get('/_sim/events', async () => {
    const data = deps.events.history();
    return { object: 'list', count: data.length, data };
  });
}
