import { describe, expect, it } from 'vitest';
import { sharedMaxAge } from '../src/cache-control.ts';

describe('sharedMaxAge', () => {
  it.each([
    ['public, max-age=5', 5],
    ['Public, Max-Age=1', 1],
    ['max-age=3, public', 3],
    ['public, max-age=9999', 60],
  ])('lets a shared cache keep %j for %i s', (header, seconds) => {
    expect(sharedMaxAge(header)).toBe(seconds);
  });

  it.each([
    undefined,
    '',
    'max-age=5',
    'public',
    'public, max-age=0',
    'public, s-maxage=5',
    'public, no-store, max-age=5',
    'public, no-cache, max-age=5',
    'private, max-age=5',
  ])('keeps nothing for %j', (header) => {
    expect(sharedMaxAge(header)).toBe(0);
  });
});
