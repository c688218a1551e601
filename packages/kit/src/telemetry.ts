// Opt-in OpenTelemetry tracing for a service process: with OTEL_EXPORTER_OTLP_ENDPOINT set, spans of
// HTTP in, fetch/undici out, pg and ioredis go to an OTLP/HTTP collector; unset, nothing is loaded.
import { ROOT_CONTEXT, context, type Span } from '@opentelemetry/api';
import { outsideRequest } from './request-context.ts';
import { redactQuery, redactQueryString } from './url-redaction.ts';

/** The variables of BaseConfig that tracing reads. */
export interface TelemetryConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
  OTEL_TRACES_SAMPLER_ARG?: number | undefined;
}

export interface Telemetry {
  readonly serviceName: string;
  /** Names the current server span after the matched route (`GET /orders/:id`). */
  nameRequestSpan(method: string, route: string, requestId: string): void;
  /** trace_id and span_id of the active span, for log lines. */
  logFields(): Record<string, string>;
  /** Exports every finished span now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Paths probed every few seconds: tracing them would bury the traces worth reading. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Modules whose ESM imports are intercepted so the instrumentations can patch them. */
const HOOKED_MODULES = ['pg', 'pg-pool', 'ioredis', 'http', 'https', 'node:http', 'node:https'];
const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

let active: Telemetry | null = null;

/** The running tracer of this process, or null when tracing is off. */
export function activeTelemetry(): Telemetry | null {
  return active;
}

/**
 * Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set; returns null (having loaded nothing)
 * when it is not. Call it before importing anything that loads http, pg or ioredis: an entry
 * point reads its config, awaits this, then imports the rest of the service.
 */
export async function startTelemetry(service: string, config: TelemetryConfig): Promise<Telemetry | null> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  if (active) return active;

  // The ESM loader hook goes in first, in-thread (module.registerHooks), limited to the modules
  // the instrumentations patch; everything imported after this point passes through it.
  const iitm = await import('import-in-the-middle/register-hooks.mjs');
  if (iitm.supportsSyncHooks()) {
    iitm.register({ include: HOOKED_MODULES });
  } else {
    // Node 24 before 24.11.1 cannot run it in-thread: the loader thread instead.
    const { register } = await import('node:module');
    register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: HOOKED_MODULES } });
  }

  const [api, core, contextHooks, resources, sdk, exporter, instrumentation, http, undici, pg, ioredis] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/core'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/instrumentation'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-undici'),
      import('@opentelemetry/instrumentation-pg'),
      import('@opentelemetry/instrumentation-ioredis'),
    ]);

  const serviceName = config.OTEL_SERVICE_NAME ?? service;
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': serviceName,
      'service.namespace': 'minishop',
      'service.instance.id': `${process.env.HOSTNAME ?? 'local'}-${process.pid}`,
    }),
    // A caller's sampling decision is kept so that a trace is either whole or absent.
    sampler: new sdk.ParentBasedSampler({
      root: new sdk.TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG ?? 1),
    }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter: new exporter.OTLPTraceExporter({ url: tracesUrl(endpoint), timeoutMillis: 10_000 }),
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 2_000,
      }),
    ],
  });
  api.context.setGlobalContextManager(new contextHooks.AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(new core.W3CTraceContextPropagator());
  api.trace.setGlobalTracerProvider(provider);

  instrumentation.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new http.HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]!),
        // Query values never reach a span (they may be credentials); their names do.
        requestHook: (span, request) => {
          if ('url' in request && typeof request.url === 'string') {
            const at = request.url.indexOf('?');
            if (at !== -1) span.setAttribute('url.query', redactQueryString(request.url.slice(at + 1)));
          } else if ('path' in request) {
            span.setAttribute('url.full', `${request.protocol}//${request.host}${redactQuery(request.path)}`);
          }
        },
      }),
      new undici.UndiciInstrumentation({
        requestHook: (span, request) => {
          // A proxied request still carries the caller's trace headers; ours replace them, since
          // a second traceparent would make the receiver discard both.
          dropTraceHeaders(request);
          const at = request.path.indexOf('?');
          if (at !== -1) {
            span.setAttribute('url.full', `${request.origin}${redactQuery(request.path)}`);
            span.setAttribute('url.query', redactQueryString(request.path.slice(at + 1)));
          }
        },
      }),
      // Queries and commands outside a request (pool checks, outbox polling) are not traced, nor
      // taking a pooled connection: a query span already shows the wait.
      new pg.PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new ioredis.IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });

  const activeSpan = (): Span | undefined => api.trace.getSpan(api.context.active());
  active = {
    serviceName,
    nameRequestSpan(method, route, requestId) {
      const span = activeSpan();
      if (!span?.isRecording()) return;
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('minishop.request_id', requestId);
    },
    logFields(): Record<string, string> {
      const context = activeSpan()?.spanContext();
      if (!context || !api.isSpanContextValid(context)) return {};
      return { trace_id: context.traceId, span_id: context.spanId };
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return active;
}

/**
 * Runs fn outside any request: work it starts (timers, queries, log lines, calls to other
 * services) belongs to no request's trace and carries no request's id. (The bare OpenTelemetry
 * API is loaded by prom-client anyway; the SDK only with tracing on.)
 */
export function withRootContext<T>(fn: () => T): T {
  return outsideRequest(() => context.with(ROOT_CONTEXT, fn));
}

/** OTLP/HTTP: the traces endpoint is `v1/traces` under the configured base URL. */
export function tracesUrl(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href;
}

/** Removes trace context headers from an undici request (string or flat-array form). */
function dropTraceHeaders(request: { headers: string | (string | string[])[] }): void {
  if (typeof request.headers === 'string') {
    request.headers = request.headers
      .split('\r\n')
      .filter((line) => !TRACE_HEADERS.has(line.split(':', 1)[0]!.trim().toLowerCase()))
      .join('\r\n');
    return;
  }
  const kept: (string | string[])[] = [];
  for (let i = 0; i < request.headers.length; i += 2) {
    const name = request.headers[i];
    if (typeof name === 'string' && TRACE_HEADERS.has(name.toLowerCase())) continue;
    kept.push(name!, request.headers[i + 1]!);
  }
  request.headers.splice(0, request.headers.length, ...kept);
}
