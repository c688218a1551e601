// Builds Auth against a fresh database of the test run and the run's Redis, and offers small
// helpers to talk to it through HTTP with unique users and client addresses.
import { randomBytes, randomInt } from 'node:crypto';
import { testDatabaseUrl, testRedisUrl } from '@minishop/devstack/testing';
import { loadConfig } from '@minishop/kit/config';
import { createPool, migrate, type Pool } from '@minishop/kit/db';
import { createRedis, type Redis } from '@minishop/kit/redis';
import type { App } from '@minishop/kit/http';
import { ConfigSchema, type Config } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { MIGRATIONS_DIR } from '../src/migrate.ts';
import type { User } from '../src/data/users.repository.ts';

export const SERVICE_CLIENTS = [
  {
    client_id: 'orders',
    client_secret: 'orders-test-secret',
    scopes: ['catalog:reserve', 'payments:charge'],
  },
  { client_id: 'shipping', client_secret: 'shipping-test-secret', scopes: ['notify:send'] },
];

export interface Harness {
  app: App;
  pool: Pool;
  redis: Redis;
  config: Config;
  /** Raw verification tokens by email, as the verification email would carry them. */
  mailbox: Map<string, string>;
  close(): Promise<void>;
}

export async function startAuth(env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: await testDatabaseUrl('auth'),
    REDIS_URL: testRedisUrl(),
    SERVICE_CLIENTS: JSON.stringify(SERVICE_CLIENTS),
    ...env,
  });
  const pool = createPool(config.DATABASE_URL);
  const redis = createRedis(config.REDIS_URL);
  await migrate(pool, MIGRATIONS_DIR);
  const mailbox = new Map<string, string>();
  const mailer = {
    sendVerification: async (user: User, token: string) => {
      mailbox.set(user.email, token);
    },
  };
  const app = await buildApp({ config, pool, redis, mailer });
  await app.ready();
  return {
    app,
    pool,
    redis,
    config,
    mailbox,
    close: async () => {
      await app.close();
      await Promise.allSettled([pool.end(), redis.quit()]);
    },
  };
}

/** A client address of its own, so per-IP login limits of one test never touch another. */
export function uniqueIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export interface NewUser {
  id: string;
  username: string;
  email: string;
  password: string;
}

export async function registerUser(app: App, overrides: Partial<NewUser> = {}): Promise<NewUser> {
  const username = overrides.username ?? uniqueName();
  const body = {
    username,
    email: overrides.email ?? `${username}@example.test`,
    password: overrides.password ?? 'correct horse battery',
  };
  const res = await app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: body,
    remoteAddress: uniqueIp(),
  });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return { ...body, id: res.json<{ id: string }>().id };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export async function loginAs(app: App, user: { username: string; password: string }): Promise<Tokens> {
  const res = await app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username: user.username, password: user.password },
    remoteAddress: uniqueIp(),
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json<Tokens>();
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
