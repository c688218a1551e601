// Recently read accounts, kept for a moment so that a client asking "who am I" on every page
// does not cost a database round trip each time. An entry lives one second at most, and this
// replica drops it as soon as it changes the account itself.
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
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { user: User; expiresAt: number }>();
  return {
    get(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(id);
        return undefined;
      }
      return entry.user;
    },
    set(user) {
      entries.delete(user.id);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(user.id, { user, expiresAt: now() + ttlMs });
    },
    forget(id) {
      entries.delete(id);
    },
  };
}
