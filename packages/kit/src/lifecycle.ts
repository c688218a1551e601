// Process lifecycle for a service entry point: listen, then on SIGTERM/SIGINT stop taking
// requests, let in-flight ones finish (bounded), close dependencies and exit.
import type { FastifyInstance } from 'fastify';

export interface RunOptions {
  host: string;
  port: number;
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
  await app.listen({ host: options.host, port: options.port });
}
