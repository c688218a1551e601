// The payment provider simulator as a Fastify instance that is built but not listening:
// a Stripe-compatible subset of the API (/v1), its admin controls (/_sim) and health checks.
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { Ledger } from './domain/ledger.store.ts';
import { newId } from './domain/object-id.ts';
import { FaultsState, faultsFromConfig } from './faults/faults.state.ts';
import { apiKeyAuth } from './http/api-key.auth.ts';
import { registerFormBodyParser } from './http/form-body.parser.ts';
import { IdempotencyStore } from './idempotency/idempotency.store.ts';
import { eventsRoutes } from './routes/events.routes.ts';
import { healthRoutes } from './routes/health.routes.ts';
import { paymentIntentsRoutes } from './routes/payment-intents.routes.ts';
import type { ProviderDeps } from './routes/provider-deps.ts';
import { refundsRoutes } from './routes/refunds.routes.ts';
import { simAdminRoutes } from './routes/sim-admin.routes.ts';
import { StateFile } from './state/state-file.ts';
import { API_VERSION, WebhookDispatcher } from './webhooks/webhook.dispatcher.ts';

const isProtected = (url: string) => url.startsWith('/v1/') || url.startsWith('/_sim/');

/** Reads the journal back, rewrites it compactly and sends the events a restart interrupted. */
function restoreState(deps: ProviderDeps): void {
  for (const record of deps.state.load()) {
    deps.ledger.restore(record);
    deps.idempotency.restore(record);
    deps.events.restore(record);
  }
  deps.state.rewrite([...deps.ledger.snapshot(), ...deps.idempotency.snapshot(), ...deps.events.snapshot()]);
  deps.events.resumePending();
}

/** `now` is the clock idempotency keys expire by; tests move it instead of waiting out a TTL. */
export function buildApp(config: Config, { now = Date.now }: { now?: () => number } = {}): FastifyInstance {
  const app = Fastify({
    logger: { level: config.LOG_LEVEL },
    genReqId: () => newId('req', 14),
    requestIdHeader: false,
    // Admin bodies are checked strictly: an unknown fault name is a mistake, not something to drop.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
  });
  const faults = new FaultsState(faultsFromConfig(config));
  const state = new StateFile(config.PROVIDER_STATE_FILE);
  const deps: ProviderDeps = {
    state,
    ledger: new Ledger(state),
    faults,
    idempotency: new IdempotencyStore(config.PROVIDER_IDEMPOTENCY_TTL_SECONDS * 1000, now, state),
    events: new WebhookDispatcher({
      url: config.PROVIDER_WEBHOOK_URL,
      secret: config.PROVIDER_WEBHOOK_SECRET,
      maxAttempts: config.PROVIDER_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: config.PROVIDER_WEBHOOK_RETRY_BASE_MS,
      timeoutMs: config.PROVIDER_WEBHOOK_TIMEOUT_MS,
      faults,
      log: app.log,
      state,
    }),
  };
  restoreState(deps);

  registerFormBodyParser(app);
  const authenticate = apiKeyAuth(config.PROVIDER_SECRET_KEY);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('request-id', req.id);
    if (req.url.startsWith('/v1/')) {
      const version = req.headers['stripe-version'];
      reply.header('stripe-version', typeof version === 'string' && version ? version : API_VERSION);
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string' && key && req.method === 'POST') reply.header('idempotency-key', key);
    }
    if (isProtected(req.url)) return authenticate(req, reply);
  });

  healthRoutes(app);
  paymentIntentsRoutes(app, deps);
  refundsRoutes(app, deps);
  eventsRoutes(app, deps);
  simAdminRoutes(app, deps);

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${req.method}: ${req.url}).`,
      },
    });
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err }, 'request failed');
    const message = status === 500 ? 'An unknown error occurred.' : err.message;
    reply
      .code(status)
      .send({ error: { type: status === 500 ? 'api_error' : 'invalid_request_error', message } });
  });

  app.addHook('onClose', async () => deps.events.close());
  return app;
}
