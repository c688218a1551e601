// Redis connections with explicit connect and command timeouts, so a stalled Redis turns
// into an error the caller can handle rather than a hung request.
import { Redis } from 'ioredis';

export type { Redis };

export function createRedis(url: string, options: { commandTimeoutMs?: number } = {}): Redis {
  return new Redis(url, {
    connectTimeout: 3_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}
