// Waiting for things the stack starts: an HTTP endpoint that answers, or a TCP port that accepts.
// Used by the launcher, the end-to-end tests and the benchmark.
import net from 'node:net';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Called between attempts; throw from it to give up early (a process that died, say). */
  check?: () => void;
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(what: string, attempt: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    options.check?.();
    if (await attempt()) return;
    if (Date.now() >= deadline)
      throw new Error(`${what} was not ready after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(options.intervalMs ?? 100);
  }
}

/** Resolves once GET url answers with a status that `accept` likes (default: 2xx). */
export async function waitForHttp(
  url: string,
  options: WaitOptions & { accept?: (status: number) => boolean } = {},
): Promise<void> {
  const accept = options.accept ?? ((status: number) => status >= 200 && status < 300);
  await poll(
    url,
    async () => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        return accept(response.status);
      } catch {
        return false;
      }
    },
    options,
  );
}

/** Resolves once `<managementUrl>/readyz` answers 200 (a service's management server). */
export function waitForReady(managementUrl: string, options: WaitOptions = {}): Promise<void> {
  return waitForHttp(`${managementUrl.replace(/\/$/, '')}/readyz`, options);
}

/** Resolves once something accepts TCP connections on host:port. */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  options: WaitOptions = {},
): Promise<void> {
  await poll(
    `${host}:${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        const socket = net.connect({ port, host });
        socket.setTimeout(1000, () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    options,
  );
}
