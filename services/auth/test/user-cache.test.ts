import { describe, expect, it } from 'vitest';
import type { User } from '../src/data/users.repository.ts';
import { createUserCache } from '../src/domain/user-cache.ts';

const user = (id: string, email_verified = false) => ({ id, email_verified }) as unknown as User;

describe('user cache', () => {
  it('keeps an account for at most its time to live', () => {
    let now = 1_000;
    const cache = createUserCache({ ttlMs: 1_000, now: () => now });
    cache.set(user('a'));
    now += 999;
    expect(cache.get('a')?.id).toBe('a');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
  });

  it('forgets an account this replica changed, and the oldest when full', () => {
    const cache = createUserCache({ maxEntries: 2 });
    cache.set(user('a'));
    cache.set(user('b'));
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set(user('c'));
    cache.set(user('d'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('d')?.id).toBe('d');
  });
});
