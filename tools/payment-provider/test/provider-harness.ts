// Starts the simulator on a free port with a local webhook receiver, and gives tests the official
// Stripe SDK pointed at it plus helpers for the admin API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';

export const SECRET_KEY = 'sk_test_harness_key';
export const WEBHOOK_SECRET = 'whsec_harness_secret';

export interface Delivery {
  body: string;
  signature: string;
  event: { id: string; type: string; data: { object: { id: string; metadata?: Record<string, string> } } };
}

export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private failuresLeft = 0;
  private server: Server | undefined;

  /** Answers the next n deliveries with 500. */
  failNext(n: number): void {
    this.failuresLeft = n;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.failuresLeft > 0) {
          this.failuresLeft -= 1;
          res.writeHead(500).end();
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        this.deliveries.push({
          body,
          signature: String(req.headers['stripe-signature']),
          event: JSON.parse(body),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks`;
  }

  forObject(id: string): Delivery[] {
    return this.deliveries.filter((d) => d.event.data.object.id === id);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

// Admin responses are asserted field by field, so their bodies stay loosely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type JsonBody = any;

export interface Harness {
  app: FastifyInstance;
  port: number;
  receiver: WebhookReceiver;
  stripe(options?: { maxNetworkRetries?: number; timeout?: number; apiKey?: string }): Stripe;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: JsonBody }>;
  succeededCharges(orderId: string): Promise<number>;
  close(): Promise<void>;
}

export async function startProvider(
  env: Record<string, string> = {},
  clock: { now?: () => number } = {},
): Promise<Harness> {
  const receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  const config = loadConfig({
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    PROVIDER_SECRET_KEY: SECRET_KEY,
    PROVIDER_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PROVIDER_WEBHOOK_URL: webhookUrl,
    PROVIDER_WEBHOOK_RETRY_BASE_MS: '20',
    ...env,
  });
  const app = buildApp(config, clock);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;

  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${SECRET_KEY}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as JsonBody };
  };

  return {
    app,
    port,
    receiver,
    stripe: (options = {}) =>
      new Stripe(options.apiKey ?? SECRET_KEY, {
        host: '127.0.0.1',
        port,
        protocol: 'http',
        maxNetworkRetries: options.maxNetworkRetries ?? 0,
        timeout: options.timeout ?? 10_000,
      }),
    admin,
    succeededCharges: async (orderId: string) => {
      const list = await admin('GET', `/_sim/payment_intents?status=succeeded&metadata[order_id]=${orderId}`);
      return list.body.count as number;
    },
    close: async () => {
      await app.close();
      await receiver.stop();
    },
  };
}

/** The card error a declined charge rejects with. */
export async function cardError(promise: Promise<unknown>): Promise<Stripe.errors.StripeCardError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Stripe.errors.StripeCardError))
    throw new Error(`expected a card error, got ${String(outcome)}`);
  return outcome;
}

export const newOrderId = () => `order-${randomUUID()}`;

/** Parameters of a confirmed card payment for an order, as a shop sends them. */
export function charge(orderId: string, paymentMethod = 'pm_card_visa', amount = 2599) {
  return {
    amount,
    currency: 'usd',
    payment_method: paymentMethod,
    confirm: true,
    metadata: { order_id: orderId },
    description: `Order ${orderId}`,
  };
}
