// Forwards every public prefix to the service that owns it: same method, path, query, headers
// and body bytes, over pooled keep-alive connections. The gateway checks the access token
// before forwarding protected paths; an upstream that is down or slow becomes a 503/504 problem.
import replyFrom, { type FastifyReplyFromHooks } from '@fastify/reply-from';
import type { Readable } from 'node:stream';
import type { FastifyReply, onRequestAsyncHookHandler } from 'fastify';
import { Counter } from 'prom-client';
import type { App } from '@minishop/kit/http';
import { authenticate } from '@minishop/kit/auth-guard';
import { problem, sendProblem } from '@minishop/kit/problem';
import { DomainError, Unavailable } from '@minishop/kit/errors';
import { isPublic, isUnsafePath } from '../access-policy.ts';
import { clientIp } from '../client-ip.ts';
import type { Upstream } from '../upstreams.ts';
import { createResponseCache } from '../response-cache.ts';

export interface ProxyOptions {
  upstreams: Upstream[];
  timeoutMs: number;
  trustedProxyHops: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// Hop-by-hop headers describe the client's connection to us, not ours to the service.
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'transfer-encoding',
  'expect',
];
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
]);
const BUFFERED_RESPONSE_BYTES = 256 * 1024;
const STALE_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

interface UpstreamResponse {
  headers: Record<string, string | string[] | undefined>;
  stream: Readable;
}

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

const checkAccess: onRequestAsyncHookHandler = async function (request, reply) {
  const path = pathOf(request.url);
  if (isUnsafePath(path)) {
    sendProblem(reply, problem(400, 'the request path is not allowed'));
    return reply;
  }
  if (isPublic(request.method, path)) return;
  try {
    await authenticate(request);
  } catch (err) {
    if (err instanceof DomainError) throw err;
    // The token could not be checked at all (Auth's key set unreachable): not the caller's fault.
    request.log.warn({ err }, 'token verification unavailable');
    throw new Unavailable('signing keys are not available; try again shortly');
  }
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

  await app.register(replyFrom, {
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      connectTimeout: Math.min(options.timeoutMs, 3_000),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    },
    destroyAgent: true,
    disableRequestLogging: true,
    disableCache: true,
  });

  const rewriteRequestHeaders: NonNullable<FastifyReplyFromHooks['rewriteRequestHeaders']> = (
    request,
    headers,
  ) => {
    for (const name of HOP_BY_HOP) delete headers[name];
    headers['x-request-id'] = request.id;
    // Only the address the gateway vouches for goes on; client-written entries are dropped.
    headers['x-forwarded-for'] = clientIp(request, options.trustedProxyHops);
    headers['x-forwarded-proto'] = request.protocol;
    if (request.headers.host) headers['x-forwarded-host'] = request.headers.host;
    return headers;
  };

  for (const upstream of options.upstreams) {
    const onError: NonNullable<FastifyReplyFromHooks['onError']> = (reply, { error }) => {
      const code = (error as { code?: string }).code ?? '';
      const causeCode = ((error.cause ?? {}) as { code?: string }).code ?? '';
      const timedOut = TIMEOUT_CODES.has(code) || TIMEOUT_CODES.has(causeCode);
      failures.inc({ service: upstream.name, outcome: timedOut ? 'timeout' : 'unavailable' });
      sendProblem(
        reply as FastifyReply,
        timedOut
          ? problem(504, `the ${upstream.name} service did not answer in time`)
          : problem(503, `the ${upstream.name} service is unavailable`),
      );
    };
    const onResponse: NonNullable<FastifyReplyFromHooks['onResponse']> = (request, reply, raw) => {
      // What reply-from passes at run time (its type declaration says otherwise).
      const res = raw as unknown as UpstreamResponse;
      const length = Number(res.headers['content-length']);
      if (!(length <= BUFFERED_RESPONSE_BYTES)) return void reply.send(res.stream);
      // Small bodies go out in one write with the headers, which is measurably cheaper than piping.
      const chunks: Buffer[] = [];
      res.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.stream.on('end', () => {
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (request.method === 'GET' && isPublic('GET', pathOf(request.url))) {
          cache.offer(request.url, reply.statusCode, res.headers, body);
        }
        void reply.send(body);
      });
      res.stream.on('error', (error: Error) => {
        reply.removeHeader('content-length');
        onError(reply, { error });
      });
    };
    const forward: FastifyReplyFromHooks = {
      rewriteRequestHeaders,
      onError,
      onResponse,
      // One retry, only for a body-less read that met a keep-alive socket the service had just
      // closed; upstream 503s and refused connections are answered at once, never retried.
      retryDelay: ({ err, req, attempt }) => {
        const code = (err as { code?: string } | null)?.code ?? '';
        return attempt === 0 &&
          STALE_SOCKET_CODES.has(code) &&
          (req.method === 'GET' || req.method === 'HEAD')
          ? 1
          : null;
      },
    };
    for (const url of upstream.routes) {
      app.route({
        method: METHODS,
        url,
        schema: { hide: true },
        onRequest: checkAccess,
        handler(request, reply) {
          if (request.method === 'GET' && !wantsFresh(request.headers)) {
            const hit = cache.get(request.url);
            if (hit) {
              cacheHits.inc();
              const age = Math.floor((Date.now() - hit.storedAt) / 1000);
              return reply.code(hit.status).headers(hit.headers).header('age', String(age)).send(hit.body);
            }
          }
          const target = upstream.origin + request.url;
          const body = request.body as Buffer | undefined;
          if (body === undefined) return reply.from(target, forward);
          if (request.method === 'GET' || request.method === 'HEAD')
            return reply.from(target, { ...forward, body: null });
          // The bytes exactly as received: signed webhooks depend on it.
          return reply.from(target, {
            ...forward,
            body,
            contentType: request.headers['content-type'] ?? 'application/octet-stream',
          });
        },
      });
    }
  }
}
