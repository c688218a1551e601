// A bounded in-memory cache whose entries expire: each entry is kept for the time it was stored
// with, an expired entry is dropped when it is read, and when the cache is full the oldest entry
// goes first (a Map keeps insertion order).

export interface ExpiringCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

export function createExpiringCache<V>(options: {
  maxEntries: number;
  now?: () => number;
}): ExpiringCache<V> {
  const { maxEntries } = options;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
