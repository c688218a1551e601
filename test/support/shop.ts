// End-to-end test support: starts the whole shop as real processes (the same way `npm start`
// does, on free ports, against the test run's PostgreSQL and Redis) and talks to it through
// the gateway the way a client would.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import {
  http as call,
  type HttpAnswer as Reply,
  type HttpOptions as CallOptions,
} from '@minishop/devstack/service-stack';
import { startStack, type RunningStack } from '../../tools/launcher/src/stack.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies of many shapes, read field by field by the tests
type Body = any;

export { call, type Reply, type CallOptions };

export interface Customer {
  id: string;
  username: string;
  email: string;
  token: string;
}

export interface Shop {
  stack: RunningStack;
  gateway: string;
  api<T = Body>(method: string, url: string, options?: CallOptions): Promise<Reply<T>>;
  adminToken(): Promise<string>;
  newCustomer(): Promise<Customer>;
  createProduct(fields?: {
    price?: string;
    stock?: number;
    name?: string;
  }): Promise<{ id: string; price: string; stock: number }>;
  stockOf(productId: string): Promise<number>;
  addToCart(token: string, productId: string, quantity: number): Promise<void>;
  checkout(
    token: string,
    options?: {
      paymentMethod?: string;
      key?: string;
      address?: Record<string, string>;
      headers?: Record<string, string>;
    },
  ): Promise<Reply>;
  /** Waits until the customer's order has the status (paid by default); returns the order. */
  orderReaching(token: string, orderId: string, status?: string, timeoutMs?: number): Promise<Body>;
  /** Successful charges the payment provider made for an order. */
  chargesFor(orderId: string, status?: string): Promise<number>;
  providerFaults(faults: Record<string, number>): Promise<void>;
  /** A read of the payment provider simulator's own API (`/_sim/…`). */
  providerRead<T = Body>(path: string): Promise<T>;
  /** Mail the sink received for an address, newest first. */
  mailTo(email: string): Promise<{ Subject: string; ID: string }[]>;
  mailChaos(body: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export { eventually };

export const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postal_code: 'SW1Y 4JH',
  country: 'GB',
};

export async function startShop(
  options: {
    componentEnv?: Record<string, Record<string, string>>;
    /** Receives every line the processes write, prefixed with their name (default: kept quiet). */
    print?: (line: string) => void;
  } = {},
): Promise<Shop> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'minishop-e2e-'));
  const stack = await startStack({
    dataDir,
    ports: 'free',
    ...(options.print ? { print: options.print } : { quiet: true }),
    persistent: false,
    seed: false,
    databaseUrl: inject('pgAdminUrl'),
    redisUrl: inject('redisUrl'),
    databasePrefix: `e2e_t${inject('devstackRunId')}_${randomBytes(3).toString('hex')}_`,
    env: { MINISHOP_ENV: 'test', LOG_LEVEL: 'warn' },
    componentEnv: {
      ...options.componentEnv,
      gateway: { RATE_LIMIT_PER_MINUTE: '0', ...options.componentEnv?.gateway },
      auth: { LOGIN_MAX_ATTEMPTS_PER_IP: '100000', ...options.componentEnv?.auth },
      orders: { SAGA_LEASE_MS: '2000', SAGA_RESUME_INTERVAL_MS: '250', ...options.componentEnv?.orders },
    },
  });
  const gateway = stack.urls.gateway;
  const api = <T = Body>(method: string, url: string, opts?: CallOptions) =>
    call<T>(gateway, method, url, opts);
  let admin: string | undefined;

  const shop: Shop = {
    stack,
    gateway,
    api,
    async adminToken() {
      if (!admin) {
        const res = await api('POST', '/auth/login', {
          body: { username: stack.admin.email, password: stack.admin.password },
        });
        if (res.status !== 200) throw new Error(`admin login failed: ${res.status}`);
        admin = res.body.access_token as string;
      }
      return admin;
    },
    async newCustomer() {
      const username = `buyer_${randomUUID().slice(0, 12).replaceAll('-', '')}`;
      const email = `${username}@example.test`;
      const password = 'a long enough password';
      const reg = await api('POST', '/auth/register', { body: { username, email, password } });
      if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
      const login = await api('POST', '/auth/login', { body: { username, password } });
      return { id: reg.body.id, username, email, token: login.body.access_token };
    },
    async createProduct(fields = {}) {
      const res = await api('POST', '/catalog/products', {
        token: await shop.adminToken(),
        body: {
          name: fields.name ?? `Test product ${randomUUID().slice(0, 8)}`,
          description: 'made for a test',
          price: fields.price ?? '12.34',
          stock: fields.stock ?? 10,
        },
      });
      if (res.status !== 201)
        throw new Error(`create product failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async stockOf(productId) {
      // The gateway may serve product reads up to a second old; a test wants the live stock.
      const res = await api('GET', `/catalog/products/${productId}`, {
        headers: { 'cache-control': 'no-cache' },
      });
      return res.body.stock;
    },
    ...buyerCalls(api),
    ...simulatorCalls(stack),
    async stop() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return shop;
}

/** What a buyer does: fill the cart, check out, and wait for the order to reach a status. */
function buyerCalls(api: Shop['api']): Pick<Shop, 'addToCart' | 'checkout' | 'orderReaching'> {
  return {
    async addToCart(token, productId, quantity) {
      const res = await api('POST', '/cart/items', { token, body: { product_id: productId, quantity } });
      if (res.status !== 200)
        throw new Error(`add to cart failed: ${res.status} ${JSON.stringify(res.body)}`);
    },
    checkout(token, opts = {}) {
      return api('POST', '/orders', {
        token,
        headers: { ...opts.headers, ...(opts.key ? { 'idempotency-key': opts.key } : {}) },
        body: {
          shipping_address: opts.address ?? ADDRESS,
          ...(opts.paymentMethod ? { payment_method: opts.paymentMethod } : {}),
        },
      });
    },
    orderReaching(token, orderId, status = 'paid', timeoutMs) {
      return eventually(
        async () => {
          const res = await api('GET', `/orders/${orderId}`, { token });
          return res.body.status === status ? res.body : undefined;
        },
        `order ${orderId} to be ${status}`,
        timeoutMs,
      );
    },
  };
}

/** Reads and fault switches of the payment provider simulator and the mail sink. */
function simulatorCalls(
  stack: RunningStack,
): Pick<Shop, 'chargesFor' | 'providerRead' | 'providerFaults' | 'mailTo' | 'mailChaos'> {
  const providerKey = { authorization: `Bearer ${stack.secrets.paymentProviderSecretKey}` };
  return {
    async chargesFor(orderId, status = 'succeeded') {
      const res = await call(
        stack.urls.paymentProvider,
        'GET',
        `/_sim/payment_intents?status=${status}&metadata[order_id]=${orderId}`,
        { headers: providerKey },
      );
      return res.body.count as number;
    },
    async providerRead(path) {
      const res = await call(stack.urls.paymentProvider, 'GET', path, { headers: providerKey });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async providerFaults(faults) {
      const res = await call(stack.urls.paymentProvider, 'POST', '/_sim/faults', {
        headers: providerKey,
        body: faults,
      });
      if (res.status !== 200) throw new Error(`faults: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async mailTo(email) {
      const res = await call(
        stack.urls.mailUi,
        'GET',
        `/api/v1/search?query=${encodeURIComponent(`to:${email}`)}`,
      );
      return res.body.messages ?? [];
    },
    async mailChaos(body) {
      await call(stack.urls.mailUi, 'PUT', '/api/v1/chaos', { body });
    },
  };
}
