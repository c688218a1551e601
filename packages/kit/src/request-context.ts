// The id of the request being served, wherever the code that serves it runs: the service client
// reads it to pass `x-request-id` on every call it makes for that request, so one request can be
// followed through every service in the logs, with or without tracing.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string>();

/** The id of the request whose handling the caller is part of, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}

/** Runs fn (and everything it starts) as part of the request with this id. */
export function inRequest<T>(requestId: string, fn: () => T): T {
  return current.run(requestId, fn);
}

/** Runs fn (and everything it starts) as part of no request. */
export function outsideRequest<T>(fn: () => T): T {
  return current.exit(fn);
}
