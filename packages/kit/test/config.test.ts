import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { BaseConfig, ConfigError, Port, Secret, ServiceConfig, loadConfig } from '../src/config.ts';

const Schema = Type.Object({
  ...BaseConfig,
  PORT: Port(8082),
  DATABASE_URL: Type.String({ minLength: 1 }),
  API_KEY: Secret('dev-key', 'key for the upstream'),
});

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const config = loadConfig(Schema, { DATABASE_URL: 'postgres://x', PORT: '9000' });
    expect(config).toMatchObject({
      PORT: 9000,
      HOST: '127.0.0.1',
      MINISHOP_ENV: 'development',
      API_KEY: 'dev-key',
    });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      loadConfig(Schema, { PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('DATABASE_URL is required');
    expect(problems).toContain('PORT');
    expect(problems).toContain('LOG_LEVEL');
  });

  it('refuses to start in production without secrets instead of using development defaults', () => {
    expect(() => loadConfig(Schema, { MINISHOP_ENV: 'production', DATABASE_URL: 'postgres://x' })).toThrow(
      /API_KEY is required/,
    );
    const config = loadConfig(Schema, {
      MINISHOP_ENV: 'production',
      DATABASE_URL: 'postgres://x',
      API_KEY: 'real',
    });
    expect(config.API_KEY).toBe('real');
  });

  it('gives a service with Redis a local server outside production and asks for it in production', () => {
    const schema = Type.Object(ServiceConfig(8083, { redis: 'carts' }));
    expect(loadConfig(schema, {})).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_SENTINEL_MASTER: 'mymaster',
    });
    expect(() => loadConfig(schema, { MINISHOP_ENV: 'production' })).toThrow(/REDIS_URL is required/);
    expect(() => loadConfig(schema, { REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig(schema, { REDIS_SENTINELS: 'sentinel' })).toThrow(/REDIS_SENTINELS/);
  });
});
