import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@minishop/kit/config';
import { ConfigSchema, parseServiceClients, parseTrustedProxies } from '../src/config.ts';

const required = { DATABASE_URL: 'postgres://db/auth', REDIS_URL: 'redis://127.0.0.1:6379' };

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('auth configuration', () => {
  it('has working local defaults', () => {
    const config = loadConfig(ConfigSchema, required);
    expect(config).toMatchObject({
      PORT: 8081,
      JWT_ISSUER: 'minishop-auth',
      JWT_AUDIENCE: 'minishop',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_SECONDS: 2_592_000,
      MINISHOP_ADMIN_EMAIL: 'admin@minishop.local',
      MINISHOP_ADMIN_PASSWORD: 'minishop-admin',
      MINISHOP_ADMIN_USERNAME: 'admin',
      SERVICE_CLIENTS: '[]',
      LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: 5,
      LOGIN_MAX_ATTEMPTS_PER_IP: 20,
    });
  });

  it('refuses to start in production without the admin secrets, naming each', () => {
    const problems = problemsOf(() => loadConfig(ConfigSchema, { ...required, MINISHOP_ENV: 'production' }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'MINISHOP_ADMIN_EMAIL is required but not set',
        'MINISHOP_ADMIN_PASSWORD is required but not set',
      ]),
    );
  });

  it('parses service clients', () => {
    const clients = parseServiceClients(
      '[{"client_id":"orders","client_secret":"a-long-secret","scopes":["catalog:reserve"]}]',
    );
    expect(clients).toEqual([
      { client_id: 'orders', client_secret: 'a-long-secret', scopes: ['catalog:reserve'] },
    ]);
  });

  it.each([
    ['invalid JSON', '[{', /SERVICE_CLIENTS is not valid JSON/],
    ['an object instead of a list', '{}', /SERVICE_CLIENTS/],
    ['a missing secret', '[{"client_id":"orders","scopes":[]}]', /SERVICE_CLIENTS\/0/],
    ['a short secret', '[{"client_id":"orders","client_secret":"short","scopes":[]}]', /client_secret/],
    [
      'a duplicate client id',
      '[{"client_id":"a","client_secret":"12345678","scopes":[]},{"client_id":"a","client_secret":"87654321","scopes":[]}]',
      /client_id a appears twice/,
    ],
  ])('rejects SERVICE_CLIENTS with %s', (_name, value, message) => {
    const problems = problemsOf(() => parseServiceClients(value));
    expect(problems.join('\n')).toMatch(message);
  });

  it('reads trusted proxies as addresses and CIDRs, and names every entry that is neither', () => {
    expect(parseTrustedProxies(' 127.0.0.1/8, ::1/128 ,10.1.2.3')).toEqual([
      '127.0.0.1/8',
      '::1/128',
      '10.1.2.3',
    ]);
    expect(parseTrustedProxies('')).toEqual([]);
    expect(problemsOf(() => parseTrustedProxies('10.0.0.0/33,gateway,10.0.0.1,::1/129'))).toEqual([
      'TRUSTED_PROXIES: 10.0.0.0/33 is not an IP address or CIDR',
      'TRUSTED_PROXIES: gateway is not an IP address or CIDR',
      'TRUSTED_PROXIES: ::1/129 is not an IP address or CIDR',
    ]);
  });
});
