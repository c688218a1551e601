// The client address the gateway rate-limits and reports upstream. Without trusted proxies it
// is the socket's peer; behind N trusted proxies it is the Nth X-Forwarded-For entry from the
// right, so entries a client writes itself are never believed.
import type { IncomingHttpHeaders } from 'node:http';

interface RequestLike {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

export function clientIp(request: RequestLike, trustedHops: number): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedHops)] ?? peer;
}
