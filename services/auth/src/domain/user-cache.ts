// Recently read accounts, kept for a moment so that a client asking "who am I" on every page
// does not cost a database round trip each time. An entry lives one second at most, and this
// replica drops it as soon as it changes the account itself.
import { createExpiringCache } from '@minishop/kit/expiring-cache';
import type { User } from '../data/users.repository.ts';

export interface UserCache {
  get(id: string): User | undefined;
  set(user: User): void;
  forget(id: string): void;
}

export function createUserCache(
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): UserCache {
  const ttlMs = options.ttlMs ?? 1_000;
  const entries = createExpiringCache<User>({ maxEntries: options.maxEntries ?? 10_000, now: options.now });
  return {
    get: (id) => entries.get(id),
    set: (user) => entries.set(user.id, user, ttlMs),
    forget: (id) => entries.delete(id),
  };
}
