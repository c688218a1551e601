// Test stack for Payments: the real payment provider simulator and the Payments app, each on a
// free port, a fresh database, and signed tokens from a test issuer.
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { portOf } from '@minishop/devstack/testing';
import {
  http,
  startServiceStack,
  type HttpAnswer,
  type Json,
  type ServiceStack,
} from '@minishop/devstack/service-stack';
import { buildApp as buildSimulator } from '../../../tools/payment-provider/src/app.ts';
import { loadConfig as loadSimulatorConfig } from '../../../tools/payment-provider/src/config.ts';
import { buildApp } from '../src/app.ts';
import { ConfigSchema, type Config } from '../src/config.ts';
import { applyMigrations } from '../src/data/migrations.ts';

export const PROVIDER_KEY = 'sk_test_payments_suite';
export const WEBHOOK_SECRET = 'whsec_payments_suite';

export interface PaymentsStack extends ServiceStack<Config> {
  simulator: FastifyInstance;
  simulatorUrl: string;
  /** A service token as Orders holds it. */
  ordersToken: string;
  sim<T = Json>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>>;
  /** The simulator's payment intents of one order (its audit view). */
  intentsOf(
    orderId: string,
  ): Promise<
    Array<{ id: string; status: string; amount: number; currency: string; metadata: Record<string, string> }>
  >;
  /** Signs a webhook body as the provider does. */
  sign(payload: string, secret?: string): string;
  /** Posts a webhook body signed as the provider does (or with the signature given). */
  deliver(payload: string, signature?: string): Promise<HttpAnswer>;
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

  const stack = await startServiceStack({
    name: 'payments',
    schema: ConfigSchema,
    env: {
      SERVICE_CLIENT_ID: 'payments',
      ORDERS_URL: options.ordersUrl ?? 'http://127.0.0.1:9',
      PAYMENT_PROVIDER_URL: simulatorUrl,
      PAYMENT_PROVIDER_SECRET_KEY: PROVIDER_KEY,
      PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PROVIDER_TIMEOUT_MS: String(options.providerTimeoutMs ?? 5_000),
      PROVIDER_MAX_RETRIES: String(options.providerMaxRetries ?? 2),
    },
    migrate: applyMigrations,
    build: buildApp,
  });

  const sim = <T = Json>(method: string, path: string, body?: unknown) =>
    http<T>(simulatorUrl, method, path, { token: PROVIDER_KEY, body });
  if (options.webhooks) {
    const set = await sim('PUT', '/_sim/webhook_endpoint', {
      url: `${stack.url}/payments/webhooks/provider`,
    });
    if (set.status !== 200) throw new Error(`could not set the webhook endpoint: ${set.status}`);
  }
  const signer = new Stripe(PROVIDER_KEY);
  const sign = (payload: string, secret = WEBHOOK_SECRET) =>
    signer.webhooks.generateTestHeaderString({ payload, secret });

  return {
    ...stack,
    simulator,
    simulatorUrl,
    ordersToken: stack.issuer.service(['payments:charge', 'payments:refund', 'payments:read'], 'orders'),
    sim,
    async intentsOf(orderId) {
      const res = await sim(`GET`, `/_sim/payment_intents?metadata[order_id]=${orderId}`);
      return res.body.data;
    },
    sign,
    deliver: (payload, signature = sign(payload)) =>
      stack.call('POST', '/payments/webhooks/provider', {
        raw: payload,
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
      }),
    async close() {
      await stack.close();
      await simulator.close();
    },
  };
}
