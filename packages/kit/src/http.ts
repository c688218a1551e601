// The service kit: builds a Fastify instance with everything a Minishop service shares —
// TypeBox validation (strict bodies), problem+json errors, request ids, structured logs,
// Prometheus metrics, an OpenAPI document and token authentication — plus its management server
// (health, readiness and metrics on an internal port, see management.ts).
import { randomUUID } from 'node:crypto';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  type RawServerDefault,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { errorHandler, problem, sendProblem } from './problem.ts';
import { installMetrics } from './metrics.ts';
import { createManagement, type ManagementServer, type ReadinessCheck } from './management.ts';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from './jwt.ts';
import type { Queryable } from './db.ts';
import type { Redis } from './redis.ts';
import { installAuth, refuseLateGuards } from './auth-guard.ts';
import { loggerOptions } from './logging.ts';
import { inRequest } from './request-context.ts';
import { redactQuery } from './url-redaction.ts';
import { activeTelemetry } from './telemetry.ts';

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type { ReadinessCheck } from './management.ts';

export interface ServiceOptions {
  name: string;
  description?: string;
  logLevel?: string;
  /** Token verifier; when given, routes can use the guards from auth-guard.ts. */
  tokens?: TokenVerifier;
  /** Named dependency checks run by GET /readyz. */
  readiness?: Record<string, ReadinessCheck>;
  bodyLimit?: number;
  /** Per-request handling limit; the client gets 408/503 rather than waiting forever. */
  requestTimeoutMs?: number;
  /**
   * Which peers' X-Forwarded-* headers are believed (Fastify's trustProxy: a hop count or
   * addresses/CIDRs); `request.ip`, `request.protocol` and `request.host` then follow them.
   */
  trustProxy?: FastifyServerOptions['trustProxy'];
  /**
   * Whether handlers run in their request's context (request-context.ts), so that the service
   * client passes the request's id on; default true. A service that makes no calls through the
   * kit's client (the gateway sets `x-request-id` on what it forwards itself) leaves it out:
   * entering it is a hook and a context per request, a measurable share of a cached answer.
   */
  requestContext?: boolean;
}

/**
 * What a service is built from, as its buildApp receives it: the log level comes from its config,
 * the token verifier enables the guards, and each store given (pool, Redis) becomes a readiness
 * check of its own (`db`, `redis`). A service whose stores must not gate its traffic omits them.
 */
export interface ServiceDeps {
  config?: { LOG_LEVEL?: string };
  tokens?: TokenVerifier;
  pool?: Queryable;
  redis?: Pick<Redis, 'ping'>;
}

function storeChecks(deps: ServiceDeps): Record<string, ReadinessCheck> {
  const { pool, redis } = deps;
  return {
    ...(pool ? { db: () => pool.query('SELECT 1') } : {}),
    ...(redis ? { redis: () => redis.ping() } : {}),
  };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function makeAjv(options: AjvOptions): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    ...options,
  });
  addFormats(ajv);
  return ajv;
}

declare module 'fastify' {
  interface FastifyInstance {
    metricsRegistry: Registry;
    serviceName: string;
    /** Health, readiness and metrics; listens on MANAGEMENT_PORT next to the public port. */
    management: ManagementServer;
  }
}

export async function createService(given: ServiceOptions, deps: ServiceDeps = {}): Promise<App> {
  const options: ServiceOptions = {
    logLevel: deps.config?.LOG_LEVEL,
    tokens: deps.tokens,
    ...given,
    readiness: { ...storeChecks(deps), ...given.readiness },
  };
  const telemetry = activeTelemetry();
  const app = Fastify({
    logger: loggerOptions(options.name, options.logLevel),
    // Access logs go out at debug: at info a busy service spends its time writing them.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    connectionTimeout: 60_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: 72_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    trustProxy: options.trustProxy ?? false,
    routerOptions: { maxParamLength: 200 },
    // Paths the router cannot take (a broken percent-escape, an overlong segment) get a problem too.
    frameworkErrors: (err, _request, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode < 500 ? err.statusCode : 400;
      void sendProblem(reply, problem(status, 'the request path is not valid'));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated as sent (no coercion: "5" is not a number); query strings, params
  // and headers are text by nature and are coerced.
  const bodyAjv = makeAjv({ coerceTypes: false });
  const textAjv = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object),
  );

  app.decorate('serviceName', options.name);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );
  // Hooks on every request are synchronous: async hooks cost a measurable share of a fast route.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    done();
  });
  // The handler (and all it starts) runs as part of its request, so outbound calls carry its id.
  // Entered here rather than at onRequest: reading the body resumes in the connection's context.
  if (options.requestContext !== false) {
    app.addHook('preHandler', (request, _reply, done) => inRequest(request.id, done));
  }
  if (telemetry) {
    app.addHook('onRequest', (request, _reply, done) => {
      const route = request.routeOptions.url;
      if (route) telemetry.nameRequestSpan(request.method, route, request.id);
      done();
    });
    // Spans still queued are exported before the process exits.
    app.addHook('onClose', () => telemetry.flush());
  }
  if (['debug', 'trace'].includes(options.logLevel ?? 'info')) {
    app.addHook('onResponse', (request, reply, done) => {
      request.log.debug(
        {
          method: request.method,
          url: redactQuery(request.url),
          status: reply.statusCode,
          ms: reply.elapsedTime,
        },
        'request completed',
      );
      done();
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `Minishop ${options.name}`, version: '0.1.0', description: options.description ?? '' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const registry = installMetrics(app, options.name);
  app.decorate('metricsRegistry', registry);
  if (options.tokens) installAuth(app, options.tokens);
  refuseLateGuards(app);

  attachManagement(app, options, registry);
  return app;
}

/**
 * The management server of the app (`app.management`). Readiness fails as soon as the service
 * starts to stop; the management server itself closes last, after in-flight requests have drained.
 */
function attachManagement(app: App, options: ServiceOptions, registry: Registry): void {
  let stopping = false;
  const management = createManagement({
    name: options.name,
    log: app.log,
    registry,
    readiness: options.readiness,
    stopping: () => stopping,
  });
  app.decorate('management', management);
  // A connection whose request was in flight stays open after its answer (keep-alive), which
  // would hold the drain for the keep-alive timeout: idle connections are closed every 100 ms
  // until the server has closed.
  let reaper: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    stopping = true;
    reaper = setInterval(() => app.server.closeIdleConnections(), 100);
    reaper.unref();
    done();
  });
  app.addHook('onClose', async () => {
    clearInterval(reaper);
    await management.close();
  });
}
