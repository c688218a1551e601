// Forwards every public prefix to the service that owns it: same method, path, query, headers
// and body bytes, over pooled keep-alive connections. The gateway checks the access token
// before forwarding protected paths; an upstream that is down or slow becomes a 503/504 problem.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { Counter } from 'prom-client';
import { counterFromZero } from '@minishop/kit/metrics';
import type { App } from '@minishop/kit/http';
import { authenticate } from '@minishop/kit/auth-guard';
import { problem, sendProblem } from '@minishop/kit/problem';
import { DomainError, Unavailable } from '@minishop/kit/errors';
import { isPublic, isUnsafePath } from '../access-policy.ts';
import type { Upstream } from '../upstreams.ts';
import { createResponseCache } from '../response-cache.ts';
import { createForwarder, HOP_BY_HOP, type ForwardHooks } from '../forwarder.ts';

export interface ProxyOptions {
  upstreams: Upstream[];
  timeoutMs: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The client asks for a fresh answer (RFC 9111 request directives), not a cached one. */
function wantsFresh(headers: Record<string, string | string[] | undefined>): boolean {
  const cacheControl = headers['cache-control'];
  if (typeof cacheControl === 'string' && /no-cache|no-store|max-age=0/i.test(cacheControl)) return true;
  return headers.pragma === 'no-cache';
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A failed token check as the client sees it. */
function accessError(request: FastifyRequest, err: unknown): Error {
  if (err instanceof DomainError) return err;
  // The token could not be checked at all (Auth's key set unreachable): not the caller's fault.
  request.log.warn({ err }, 'token verification unavailable');
  return new Unavailable('signing keys are not available; try again shortly');
}

// Synchronous for public paths: a promise per request is a measurable share of a cached answer.
const checkAccess: onRequestHookHandler = function (request, reply, done) {
  const path = pathOf(request.url);
  if (isUnsafePath(path)) {
    sendProblem(reply, problem(400, 'the request path is not allowed'));
    return;
  }
  if (isPublic(request.method, path)) return done();
  authenticate(request).then(
    () => done(),
    (err: unknown) => done(accessError(request, err)),
  );
};

export async function proxyRoutes(app: App, options: ProxyOptions): Promise<void> {
  const failures = new Counter({
    name: 'minishop_gateway_upstream_failures_total',
    help: 'Requests the gateway could not forward, by service and outcome',
    labelNames: ['service', 'outcome'] as const,
    registers: [app.metricsRegistry],
  });

  // Public reads the owning service marks cacheable are answered here for a moment (e.g. a
  // product page hit by many visitors), without a trip to the service.
  const cache = createResponseCache();
  const cacheHits = new Counter({
    name: 'minishop_gateway_cache_hits_total',
    help: 'Public reads answered from the gateway cache',
    registers: [app.metricsRegistry],
  });
  const cacheMisses = counterFromZero(app.metricsRegistry, {
    name: 'minishop_gateway_cache_misses_total',
    help: 'Public reads sent to their service: nothing fresh was cached, or the client asked for a fresh answer',
    labels: { reason: ['absent', 'refresh'] },
  });

  /** The headers a service sees: the client's, less hop-by-hop ones, plus what the gateway vouches for. */
  const upstreamHeaders = (request: FastifyRequest): Record<string, string | string[]> => {
    const headers: Record<string, string | string[]> = {};
    const from = request.headers;
    for (const name in from) {
      const value = from[name];
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers['x-request-id'] = request.id;
    // Only the address the gateway vouches for goes on; client-written entries are dropped.
    headers['x-forwarded-for'] = request.ip;
    headers['x-forwarded-proto'] = request.protocol;
    if (from.host) headers['x-forwarded-host'] = request.host;
    return headers;
  };

  for (const upstream of options.upstreams) {
    const forwarder = createForwarder(upstream.origin, options.timeoutMs);
    app.addHook('onClose', () => forwarder.close());
    const onFailure: ForwardHooks['onFailure'] = (reply, timedOut) => {
      failures.inc({ service: upstream.name, outcome: timedOut ? 'timeout' : 'unavailable' });
      sendProblem(
        reply,
        timedOut
          ? problem(504, `the ${upstream.name} service did not answer in time`)
          : problem(503, `the ${upstream.name} service is unavailable`),
      );
    };
    const plain: ForwardHooks = { onFailure };
    for (const url of upstream.routes) {
      app.route({
        method: METHODS,
        url,
        schema: { hide: true },
        onRequest: checkAccess,
        handler(request, reply: FastifyReply) {
          let hooks = plain;
          if (request.method === 'GET' && isPublic('GET', pathOf(request.url))) {
            if (!wantsFresh(request.headers)) {
              const hit = cache.get(request.url);
              if (hit) {
                cacheHits.inc();
                const age = Math.floor((Date.now() - hit.storedAt) / 1000);
                return reply.code(hit.status).headers(hit.headers).header('age', String(age)).send(hit.body);
              }
              cacheMisses.inc({ reason: 'absent' });
            } else {
              cacheMisses.inc({ reason: 'refresh' });
            }
            // Public reads the service marks cacheable are kept for the next visitors.
            const key = request.url;
            hooks = {
              onFailure,
              onAnswer: (answer) => cache.offer(key, answer.status, answer.headers, answer.body),
            };
          }
          const body = request.body as Buffer | undefined;
          forwarder.forward(
            {
              method: request.method,
              path: request.url,
              headers: upstreamHeaders(request),
              // The bytes exactly as received (signed webhooks depend on it); reads carry none.
              body: body === undefined || request.method === 'GET' || request.method === 'HEAD' ? null : body,
            },
            reply,
            hooks,
          );
          return reply;
        },
      });
    }
  }
}
