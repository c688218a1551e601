// One HTTP request through undici's dispatcher, with the whole answer read (undici needs every
// body consumed before the connection can serve the next request). The kit's service client, its
// key set loader and the payment simulator's webhooks all call through here: no WHATWG Request,
// Headers or web stream per call, which through the global fetch had been a large share of a
// service's CPU (docs/decisions.md, 80).
import { Agent, type Dispatcher } from 'undici';

/** Response headers by lower-case name; a repeated header is an array. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

export interface Exchange {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/**
 * Connections kept alive for 10 s (or less, when the server's keep-alive hint says so): calls come
 * often, and a new connection per call costs more than the call. An Agent rather than a bare Pool:
 * it closes an origin's pool once no connection is left, which also ends the spare connection
 * undici opens after an attempt is aborted (nodejs/undici#5845). Idle sockets do not keep the
 * process alive.
 */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAliveTimeout: 10_000 });
}

export type ExchangeOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'signal'> & {
  /** The whole exchange, answer read, must finish within this; it fails with a TimeoutError. */
  timeoutMs: number;
};

/**
 * Sends one request to `url` and reads the whole answer as text. The timeout is a timer cleared
 * when the answer is in: `AbortSignal.timeout` cannot be cleared, so each call would leave a timer
 * that fires later and builds an abort error nobody reads, which cost a call more CPU than the
 * rest of the client (docs/decisions.md, 80).
 */
export async function exchange(agent: Agent, url: URL | string, options: ExchangeOptions): Promise<Exchange> {
  const { timeoutMs, ...request } = options;
  const target = typeof url === 'string' ? new URL(url) : url;
  const timer = new AbortController();
  const timeout = setTimeout(
    () => timer.abort(new DOMException('The operation timed out', 'TimeoutError')),
    timeoutMs,
  );
  try {
    const res = await agent.request({
      ...request,
      origin: target.origin,
      path: target.pathname + target.search,
      signal: timer.signal,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  } finally {
    clearTimeout(timeout);
  }
}
