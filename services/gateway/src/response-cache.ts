// A small shared cache for public reads, as an HTTP cache in front of the services would be:
// only GET answers an upstream marks `Cache-Control: public, max-age=N` are kept, for at most N
// seconds (the kit's sharedMaxAge), so the owner of the data decides what may be served a little
// stale (RFC 9111).
import { sharedMaxAge } from '@minishop/kit/cache-control';
import { createExpiringCache } from '@minishop/kit/expiring-cache';

export interface CachedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  storedAt: number;
}

/** Response headers worth replaying; hop-by-hop and per-request ones are left out. */
const KEPT_HEADERS = ['content-type', 'cache-control', 'x-total-count', 'etag', 'last-modified'];

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  /** Keeps the response when its headers allow it. */
  offer(
    key: string,
    status: number,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): void;
  readonly size: number;
}

export function createResponseCache(
  options: { maxEntries?: number; maxBodyBytes?: number; now?: () => number } = {},
) {
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  const now = options.now ?? Date.now;
  const entries = createExpiringCache<CachedResponse>({ maxEntries: options.maxEntries ?? 2_000, now });

  const cache: ResponseCache = {
    get: (key) => entries.get(key),
    offer(key, status, headers, body) {
      if (status !== 200 || body.length > maxBodyBytes || headers['set-cookie'] !== undefined) return;
      const vary = headers.vary;
      if (typeof vary === 'string' && vary.trim() !== '' && vary.toLowerCase() !== 'accept-encoding') return;
      const maxAge = sharedMaxAge(headers['cache-control']);
      if (maxAge <= 0) return;
      const kept: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = headers[name];
        if (typeof value === 'string') kept[name] = value;
      }
      entries.set(key, { status, headers: kept, body, storedAt: now() }, maxAge * 1000);
    },
    get size() {
      return entries.size;
    },
  };
  return cache;
}
