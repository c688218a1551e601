// Test fixture: small node:http servers stand in for the services behind the gateway (they
// echo what reached them), and a gateway is built with its config pointing at them.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@minishop/kit/config';
import { listenBoth } from '@minishop/kit/lifecycle';
import { createRedis } from '@minishop/kit/redis';
import type { TokenVerifier } from '@minishop/kit/jwt';
import { testRedisUrl } from '@minishop/devstack/testing';
import { buildApp } from '../src/app.ts';
import { ConfigSchema } from '../src/config.ts';

export interface EchoedRequest {
  service: string;
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body_base64: string;
}

export interface StandIn {
  url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, body: Buffer) => { status?: number; json: unknown } | null;

/** A service stand-in that answers every request with a JSON description of what it received. */
export async function startEchoService(service: string, handler?: Handler): Promise<StandIn> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const custom = handler?.(req, body);
      const echoed: EchoedRequest = {
        service,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body_base64: body.toString('base64'),
      };
      res.writeHead(custom?.status ?? 200, {
        'content-type': 'application/json',
        'x-total-count': '42',
        ...(typeof req.headers['x-request-id'] === 'string'
          ? { 'x-request-id': req.headers['x-request-id'] }
          : {}),
      });
      res.end(JSON.stringify(custom ? custom.json : echoed));
    });
  });
  return listen(server);
}

/** A stand-in that accepts connections and never answers. */
export async function startSilentService(): Promise<StandIn> {
  return listen(createServer(() => {}));
}

/** A stand-in that answers with the given listener. */
export async function startStandIn(listener: RequestListener): Promise<StandIn> {
  return listen(createServer(listener));
}

/** A loopback URL where nothing listens. */
export async function deadUrl(): Promise<string> {
  const { url, close } = await listen(createServer());
  await close();
  return url;
}

async function listen(server: Server): Promise<StandIn> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RunningGateway {
  url: string;
  /** The management server: /healthz, /readyz, /metrics. */
  management: string;
  close(): Promise<void>;
}

/** Starts a gateway; every upstream not given points at a dead address. */
export async function startGateway(
  tokens: TokenVerifier,
  env: Record<string, string> = {},
): Promise<RunningGateway> {
  const nowhere = await deadUrl();
  const config = loadConfig(ConfigSchema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: testRedisUrl(),
    AUTH_URL: nowhere,
    CATALOG_URL: nowhere,
    CART_URL: nowhere,
    ORDERS_URL: nowhere,
    PAYMENTS_URL: nowhere,
    SHIPPING_URL: nowhere,
    NOTIFICATIONS_URL: nowhere,
    ...env,
  });
  const redis = createRedis(config.REDIS_URL);
  const app = await buildApp({ config, redis, tokens });
  await listenBoth(app, { host: '127.0.0.1', port: 0, managementPort: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    management: `http://127.0.0.1:${(app.management.server.address() as AddressInfo).port}`,
    close: async () => {
      await app.close();
      redis.disconnect();
    },
  };
}
