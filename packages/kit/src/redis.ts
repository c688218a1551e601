// Redis connections with explicit connect and command timeouts, so a stalled Redis turns
// into an error the caller can handle rather than a hung request. An outage is logged once when
// it starts and once when it ends, however many reconnection attempts fail in between.
import { Redis, type RedisOptions as ClientOptions } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

export type { Redis };

export interface RedisOptions {
  commandTimeoutMs?: number;
  /** Where the outage and recovery lines go (default: nowhere, for tests that expect outages). */
  log?: Pick<FastifyBaseLogger, 'warn' | 'info'>;
  /**
   * Sentinels to ask for the primary (`host:port,host:port`), its master set name and their own
   * user and password; `url` then gives only the user, password and database.
   */
  sentinel?: {
    sentinels: string;
    name: string;
    username?: string | undefined;
    password?: string | undefined;
  };
}

/** A Redis client of the primary that the Sentinels name: user, password and database from url. */
function sentinelTarget(url: string, sentinel: NonNullable<RedisOptions['sentinel']>): ClientOptions {
  const parsed = new URL(url);
  return {
    sentinels: sentinel.sentinels.split(',').map((entry) => {
      const at = entry.lastIndexOf(':');
      return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
    }),
    name: sentinel.name,
    ...(sentinel.username ? { sentinelUsername: sentinel.username } : {}),
    ...(sentinel.password ? { sentinelPassword: sentinel.password } : {}),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number(parsed.pathname.slice(1) || 0),
  };
}

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const common: ClientOptions = {
    connectTimeout: 3_000,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    // CLIENT SETINFO only labels the connection, and Redis before 7.2 refuses it on every connect.
    disableClientInfo: true,
  };
  const redis = options.sentinel
    ? new Redis({ ...common, ...sentinelTarget(url, options.sentinel) })
    : new Redis(url, common);
  // Without an error listener ioredis prints every failed reconnection as an unhandled error.
  let down = false;
  redis.on('error', (err: Error) => {
    if (down) return;
    down = true;
    options.log?.warn(
      { err: { message: err.message, code: (err as { code?: string }).code } },
      'Redis is unreachable',
    );
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    options.log?.info('Redis is reachable again');
  });
  return redis;
}

/** Closes a client: QUIT when Redis answers within a second, otherwise the socket is just dropped. */
export async function closeRedis(redis: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.quit(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 1_000);
      }),
    ]);
  } catch {
    // Already closed or unreachable: dropping the socket below is all that is left to do.
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
