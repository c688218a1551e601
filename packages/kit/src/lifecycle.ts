// Process lifecycle for a service entry point: listen on the public and the management port,
// then on SIGTERM/SIGINT stop taking requests, let in-flight ones finish (bounded), close
// dependencies and exit.
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
  const drainTimeoutMs = options.drainTimeoutMs ?? 15_000;
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: draining requests');
    const force = setTimeout(() => {
      app.log.error('drain timed out; exiting');
      process.exit(1);
    }, drainTimeoutMs);
    force.unref();
    try {
      await app.close();
      app.log.info('stopped');
      process.exit(exitCode);
    } catch (err) {
      app.log.error({ err }, 'error while stopping');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  process.on('unhandledRejection', (err) => {
    app.log.fatal({ err }, 'unhandled rejection');
    void stop('unhandledRejection', 1);
  });
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
