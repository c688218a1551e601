// The gateway: the only public entry point. It rate-limits per client IP, applies the CORS
// allowlist, checks access tokens on protected paths, forwards each prefix to its service
// unchanged, serves the merged API documentation at /docs and the web app at /.
import cors from '@fastify/cors';
import { createService, type App } from '@minishop/kit/http';
import type { TokenVerifier } from '@minishop/kit/jwt';
import type { Redis } from '@minishop/kit/redis';
import { RateLimited } from '@minishop/kit/errors';
import { Counter } from 'prom-client';
import type { Config } from './config.ts';
import { createRateLimiter, type RateDecision } from './rate-limiter.ts';
import { docsRoutes } from './routes/docs.routes.ts';
import { proxyRoutes } from './routes/proxy.routes.ts';
import { webRoutes } from './routes/web.routes.ts';
import { upstreamsFromConfig } from './upstreams.ts';
import { continueOnlyWithin, rawBodyReader } from './request-body.ts';
import { refuseInternalPaths } from './internal-paths.ts';

export interface Deps {
  config: Config;
  redis: Redis;
  tokens: TokenVerifier;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** How much of an oversized body is read and dropped so that its 413 reaches the client. */
const DRAINED_BYTES = 16 * 1024 * 1024;

export async function buildApp(deps: Deps): Promise<App> {
  const { config, redis, tokens } = deps;
  const app = await createService(
    {
      name: 'gateway',
      description: 'The public entry point of Minishop',
      bodyLimit: BODY_LIMIT_BYTES,
      // Behind N proxies the client is the Nth X-Forwarded-For entry from the right; entries a
      // client wrote itself are never believed. Scheme and host are taken from them the same way.
      trustProxy: config.TRUST_PROXY_HOPS > 0 ? (_address, hop) => hop < config.TRUST_PROXY_HOPS : false,
      // The gateway calls no service through the kit's client: it sets x-request-id on what it
      // forwards itself, so its handlers need no request context.
      requestContext: false,
    },
    // Redis is not given, so nothing is checked: without it the rate limit counts per replica and
    // everything else works, so a Redis outage must not take every gateway out of its Service.
    { config, tokens },
  );

  // Bodies are forwarded as the bytes that arrived (never parsed and re-serialised); the
  // services validate them. Only the size limit is enforced here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', rawBodyReader(BODY_LIMIT_BYTES, DRAINED_BYTES));
  continueOnlyWithin(app.server, BODY_LIMIT_BYTES);

  await app.register(cors, {
    origin: config.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['X-Total-Count', 'X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });

  if (config.RATE_LIMIT_PER_MINUTE > 0) {
    const limiter = createRateLimiter({ redis, limit: config.RATE_LIMIT_PER_MINUTE, log: app.log });
    const limited = new Counter({
      name: 'minishop_gateway_rate_limited_total',
      help: 'Requests refused because their client exceeded the per-minute limit',
      registers: [app.metricsRegistry],
    });
    const refusal = (decision: RateDecision): RateLimited | undefined => {
      if (decision.allowed) return undefined;
      limited.inc();
      return new RateLimited(decision.retryAfterSeconds, 'too many requests from this address; slow down');
    };
    // Probes and scrapes reach the management port, which has no limiter. Synchronous unless the
    // hit completes a batch: a promise per request is a measurable share of a cached answer.
    app.addHook('onRequest', (request, _reply, done) => {
      const pending = limiter.hit(request.ip);
      if (!(pending instanceof Promise)) return done(refusal(pending));
      pending.then(
        (decision) => done(refusal(decision)),
        (err: Error) => done(err),
      );
    });
    app.addHook('onClose', async () => limiter.close());
  }

  // Service-only operations are not part of the public surface: refused before any routing.
  refuseInternalPaths(app);
  const upstreams = upstreamsFromConfig(config);
  await proxyRoutes(app, { upstreams, timeoutMs: config.UPSTREAM_TIMEOUT_MS });
  await docsRoutes(app, { upstreams });
  await webRoutes(app, { root: config.WEB_ROOT });
  return app;
}
