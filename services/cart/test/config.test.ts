import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@minishop/kit/config';
import { ConfigSchema } from '../src/config.ts';

describe('cart configuration', () => {
  it('starts locally with nothing set', () => {
    expect(loadConfig(ConfigSchema, {})).toMatchObject({
      PORT: 8083,
      REDIS_URL: 'redis://127.0.0.1:6379',
      CATALOG_URL: 'http://127.0.0.1:8082',
      AUTH_URL: 'http://127.0.0.1:8081',
      CART_TTL_DAYS: 30,
    });
  });

  it('reads the environment and reports every bad value', () => {
    const config = loadConfig(ConfigSchema, {
      PORT: '9083',
      CART_TTL_DAYS: '7',
      CATALOG_URL: 'http://catalog:8082',
    });
    expect(config).toMatchObject({ PORT: 9083, CART_TTL_DAYS: 7, CATALOG_URL: 'http://catalog:8082' });
    expect(() => loadConfig(ConfigSchema, { CART_TTL_DAYS: 'soon', REDIS_URL: 'localhost' })).toThrow(
      ConfigError,
    );
    try {
      loadConfig(ConfigSchema, { CART_TTL_DAYS: 'soon', REDIS_URL: 'localhost' });
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toContain('CART_TTL_DAYS');
      expect(problems).toContain('REDIS_URL');
    }
  });
});
