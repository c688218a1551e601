import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@minishop/kit/config';
import { ConfigSchema } from '../src/config.ts';

describe('shipping configuration', () => {
  it('starts locally with nothing set', () => {
    expect(loadConfig(ConfigSchema, {})).toMatchObject({
      PORT: 8086,
      ORDERS_URL: 'http://127.0.0.1:8084',
      SERVICE_CLIENT_ID: 'shipping',
      CARRIER_NAME: 'Minishop Express',
    });
  });

  it('needs the database and client secret in production', () => {
    let error: unknown;
    try {
      loadConfig(ConfigSchema, { MINISHOP_ENV: 'production' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('DATABASE_URL is required');
    expect(problems).toContain('SERVICE_CLIENT_SECRET is required');
  });
});
