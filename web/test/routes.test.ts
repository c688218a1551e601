import { describe, expect, it } from 'vitest';
import { compilePageRoutes } from '../../services/gateway/src/page-routes.ts';
import { PAGES, pathTo } from '../src/routes.ts';

describe('page paths', () => {
  it('never start with an API prefix, so the gateway serves every one of them', () => {
    // compilePageRoutes refuses a list with a page under an API prefix, as the gateway would.
    const routes = compilePageRoutes(Object.values(PAGES));
    for (const path of [
      '/',
      '/products/p1',
      '/bag',
      '/checkout/o1',
      '/account/orders/o1',
      '/admin/products/new',
    ])
      expect(routes.matches(path), path).toBe(true);
    expect(routes.matches('/orders/o1'), 'an API path').toBe(false);
  });

  it('fill their parameters, escaped', () => {
    expect(pathTo('order', { id: 'a/b' })).toBe('/account/orders/a%2Fb');
    expect(() => pathTo('product')).toThrow(/needs id/);
  });
});
