// The management server of a service: liveness, readiness and Prometheus metrics on an internal
// port of their own (MANAGEMENT_PORT), so that the public port serves only the API and no client
// can read health details or metrics through the gateway or an ingress.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { errorHandler, problem, sendProblem } from './problem.ts';

export type ReadinessCheck = () => Promise<unknown>;

export interface ManagementOptions {
  name: string;
  log: FastifyBaseLogger;
  registry: Registry;
  /** Named dependency checks run by GET /readyz; a failed one is reported as `unavailable` only. */
  readiness?: Record<string, ReadinessCheck>;
  /** True once the service has begun to stop: readiness then fails so no new traffic is sent. */
  stopping?: () => boolean;
}

export type ManagementServer = FastifyInstance;

const CHECK_TIMEOUT_MS = 2_000;

export function createManagement(options: ManagementOptions): ManagementServer {
  const server = Fastify({
    loggerInstance: options.log.child({ server: 'management' }),
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: true,
  });
  server.setErrorHandler(errorHandler);
  server.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    done();
  });
  server.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, `no route for ${request.method} ${request.url.split('?')[0]}`)),
  );

  server.get('/healthz', async () => ({ status: 'ok', service: options.name }));

  // The reason a check failed goes to the log, once per change, never into the answer.
  const failing = new Map<string, string>();
  const noteResult = (name: string, error: unknown) => {
    const reason = error === undefined ? undefined : error instanceof Error ? error.message : String(error);
    if (reason === failing.get(name)) return;
    if (reason === undefined) {
      failing.delete(name);
      server.log.info({ check: name }, 'readiness check passes again');
    } else {
      failing.set(name, reason);
      server.log.warn({ check: name, reason }, 'readiness check failed');
    }
  };

  server.get('/readyz', async (_request, reply) => {
    const checks: Record<string, string> = {};
    await Promise.all(
      Object.entries(options.readiness ?? {}).map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS, `${name} readiness check timed out`);
          checks[name] = 'ok';
          noteResult(name, undefined);
        } catch (err) {
          checks[name] = 'unavailable';
          noteResult(name, err);
        }
      }),
    );
    if (options.stopping?.()) {
      return sendProblem(reply, problem(503, 'the service is stopping', { checks }));
    }
    if (Object.values(checks).some((state) => state !== 'ok')) {
      return sendProblem(reply, problem(503, 'a dependency is not reachable', { checks }));
    }
    return { status: 'ready', checks };
  });

  server.get('/metrics', async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
  return server;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
