import { describe, expect, it } from 'vitest';
import { API_PREFIXES, isApiPath, PAGES, pathTo } from '../src/routes.ts';

describe('page paths', () => {
  it('never start with an API prefix, so the gateway can tell pages from API calls', () => {
    for (const path of Object.values(PAGES)) expect(isApiPath(path), path).toBe(false);
    for (const prefix of API_PREFIXES) expect(isApiPath(`${prefix}/x`)).toBe(true);
  });

  it('fill their parameters, escaped', () => {
    expect(pathTo('order', { id: 'a/b' })).toBe('/account/orders/a%2Fb');
    expect(() => pathTo('product')).toThrow(/needs id/);
  });
});
