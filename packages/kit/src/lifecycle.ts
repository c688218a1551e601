// Process lifecycle for a service entry point: listen on the public and the management port,
// then, on SIGTERM or SIGINT (or an uncaught error), stop taking requests, let in-flight ones
// finish within a bound, close dependencies and exit. close-with-grace handles the signals, the
// bound and the exit code; a second signal while draining exits at once.
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

export interface RunOptions {
  host: string;
  port: number;
  /** Port of the management server (health, readiness, metrics). */
  managementPort: number;
  /** Longest time in-flight requests get to finish after a stop signal. */
  drainTimeoutMs?: number;
}

export async function runService(app: FastifyInstance, options: RunOptions): Promise<void> {
  closeWithGrace(
    {
      delay: options.drainTimeoutMs ?? 15_000,
      onTimeout: () => app.log.error('drain timed out; exiting'),
      onSecondSignal: (signal) => app.log.warn({ signal }, 'second stop signal; exiting without draining'),
      onSecondError: (err) => app.log.fatal({ err }, 'error while stopping; exiting'),
    },
    async ({ signal, err }) => {
      if (err) app.log.fatal({ err }, 'unhandled error');
      app.log.info({ signal: signal ?? (err ? 'error' : 'exit') }, 'stopping: draining requests');
      await app.close();
      app.log.info('stopped');
    },
  );
  await listenBoth(app, options);
}

/**
 * Listens on the public port, then on the management port: readiness can only pass once the
 * API is reachable.
 */
export async function listenBoth(
  app: FastifyInstance,
  options: { host: string; port: number; managementPort: number },
): Promise<void> {
  await app.listen({ host: options.host, port: options.port });
  await app.management.listen({ host: options.host, port: options.managementPort });
}
