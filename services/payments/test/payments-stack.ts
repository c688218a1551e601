// Test stack for Payments: the real payment provider simulator and the Payments app, each on a
// free port, a fresh database, and signed tokens from a test issuer.
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { loadConfig } from '@minishop/kit/config';
import { createPool, type Pool } from '@minishop/kit/db';
import type { App } from '@minishop/kit/http';
import { createTestIssuer, type TestIssuer } from '@minishop/kit/testing';
import { buildApp as buildSimulator } from '../../../tools/payment-provider/src/app.ts';
import { loadConfig as loadSimulatorConfig } from '../../../tools/payment-provider/src/config.ts';
import { buildApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config.ts';
import { applyMigrations } from '../src/data/migrations.ts';
import { eventually, portOf, testDatabaseUrl } from '@minishop/devstack/testing';

export { eventually };

export const PROVIDER_KEY = 'sk_test_payments_suite';
export const WEBHOOK_SECRET = 'whsec_payments_suite';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answer bodies field by field
export type Json = any;

export interface HttpAnswer<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = Json>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface PaymentsStack {
  url: string;
  app: App;
  pool: Pool;
  issuer: TestIssuer;
  simulator: FastifyInstance;
  simulatorUrl: string;
  /** A service token as Orders holds it. */
  ordersToken: string;
  call<T = Json>(method: string, path: string, options?: Parameters<typeof http>[3]): Promise<HttpAnswer<T>>;
  sim<T = Json>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>>;
  /** The simulator's payment intents of one order (its audit view). */
  intentsOf(
    orderId: string,
  ): Promise<
    Array<{ id: string; status: string; amount: number; currency: string; metadata: Record<string, string> }>
  >;
  /** Starts another Payments instance on the same database and provider (a second replica). */
  replica(): Promise<string>;
  /** Signs a webhook body as the provider does. */
  sign(payload: string, secret?: string): string;
  close(): Promise<void>;
}

export interface StackOptions {
  providerTimeoutMs?: number;
  providerMaxRetries?: number;
  ordersUrl?: string;
  /** Point the simulator's webhooks at Payments. */
  webhooks?: boolean;
}

export async function startPaymentsStack(options: StackOptions = {}): Promise<PaymentsStack> {
  const simulator = buildSimulator(
    loadSimulatorConfig({
      MINISHOP_ENV: 'test',
      LOG_LEVEL: 'silent',
      PROVIDER_SECRET_KEY: PROVIDER_KEY,
      PROVIDER_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PROVIDER_WEBHOOK_RETRY_BASE_MS: '50',
    }),
  );
  await simulator.listen({ host: '127.0.0.1', port: 0 });
  const simulatorUrl = `http://127.0.0.1:${portOf(simulator.server)}`;

  const issuer = createTestIssuer();
  const databaseUrl = await testDatabaseUrl('payments');
  const pool = createPool(databaseUrl);
  await applyMigrations(pool);
  const config = loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SERVICE_CLIENT_ID: 'payments',
    ORDERS_URL: options.ordersUrl ?? 'http://127.0.0.1:9',
    PAYMENT_PROVIDER_URL: simulatorUrl,
    PAYMENT_PROVIDER_SECRET_KEY: PROVIDER_KEY,
    PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PROVIDER_TIMEOUT_MS: String(options.providerTimeoutMs ?? 5_000),
    PROVIDER_MAX_RETRIES: String(options.providerMaxRetries ?? 2),
  });
  const app = await buildApp({ config, pool, tokens: issuer.verifier });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${portOf(app.server)}`;
  const replicas: App[] = [];

  const sim = <T = Json>(method: string, path: string, body?: unknown) =>
    http<T>(simulatorUrl, method, path, { token: PROVIDER_KEY, body });
  if (options.webhooks) {
    const set = await sim('PUT', '/_sim/webhook_endpoint', { url: `${url}/payments/webhooks/provider` });
    if (set.status !== 200) throw new Error(`could not set the webhook endpoint: ${set.status}`);
  }
  const signer = new Stripe(PROVIDER_KEY);

  return {
    url,
    app,
    pool,
    issuer,
    simulator,
    simulatorUrl,
    ordersToken: issuer.service(['payments:charge', 'payments:refund', 'payments:read'], 'orders'),
    call: (method, path, opts) => http(url, method, path, opts),
    sim,
    async intentsOf(orderId) {
      const res = await sim(`GET`, `/_sim/payment_intents?metadata[order_id]=${orderId}`);
      return res.body.data;
    },
    async replica() {
      const other = await buildApp({ config, pool, tokens: issuer.verifier });
      await other.listen({ host: '127.0.0.1', port: 0 });
      replicas.push(other);
      return `http://127.0.0.1:${portOf(other.server)}`;
    },
    sign: (payload, secret = WEBHOOK_SECRET) => signer.webhooks.generateTestHeaderString({ payload, secret }),
    async close() {
      await Promise.all([app, ...replicas].map((a) => a.close()));
      await simulator.close();
      await pool.end();
    },
  };
}
