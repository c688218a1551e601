// Login attempt limits kept in Redis so they hold across replicas: a fixed window per account
// and per client IP. A successful login clears the account's count.
import { createHash } from 'node:crypto';
import type { Redis } from '@minishop/kit/redis';
import { RateLimited, Unavailable } from '@minishop/kit/errors';

export interface LoginLimitSettings {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

// Counts the attempt and sets the window's expiry in one atomic step; returns [count, seconds left].
const COUNT_ATTEMPT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`;

export interface LoginLimiter {
  /** Counts one attempt; throws RateLimited when the IP or the account is over its limit. */
  attempt(account: string, ip: string): Promise<void>;
  succeeded(account: string): Promise<void>;
}

export function normaliseIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}

function accountKey(account: string): string {
  return `auth:login:account:${createHash('sha256').update(account).digest('hex')}`;
}

export function createLoginLimiter(redis: Redis, settings: LoginLimitSettings): LoginLimiter {
  async function count(key: string): Promise<[number, number]> {
    try {
      const [n, ttl] = (await redis.eval(COUNT_ATTEMPT, 1, key, settings.windowSeconds)) as [number, number];
      return [n, ttl];
    } catch {
      // Without the counters, logins are refused rather than let through unlimited.
      throw new Unavailable('sign-in is temporarily unavailable');
    }
  }
  return {
    async attempt(account, ip) {
      const [[ipCount, ipTtl], [accountCount, accountTtl]] = await Promise.all([
        count(`auth:login:ip:${ip}`),
        count(accountKey(account)),
      ]);
      if (ipCount > settings.perIp) throw new RateLimited(ipTtl, 'too many login attempts; try again later');
      if (accountCount > settings.perAccount) {
        throw new RateLimited(accountTtl, 'too many login attempts; try again later');
      }
    },
    async succeeded(account) {
      await redis.del(accountKey(account));
    },
  };
}
