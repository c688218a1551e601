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

/** Sends one request to `url` and reads the whole answer as text. */
export async function exchange(
  agent: Agent,
  url: URL | string,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
): Promise<Exchange> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const res = await agent.request({
    ...options,
    origin: target.origin,
    path: target.pathname + target.search,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}
