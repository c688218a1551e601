// The gateway with its Redis gone: it stays ready (a Redis blip must not take every replica out
// of the Service) and keeps serving, its rate limit counting per replica meanwhile, and the Redis
// client reports the outage without unhandled-error noise. Redis is reached through a TCP relay
// that the test closes, as a Redis that stopped would look.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestIssuer } from '@minishop/kit/testing';
import { portOf, testRedisUrl } from '@minishop/devstack/testing';
import { startEchoService, startGateway, type RunningGateway, type StandIn } from './gateway-fixture.ts';

const issuer = createTestIssuer();

interface Relay {
  url: string;
  stop(): Promise<void>;
}

async function startRelay(target: URL): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${portOf(server)}${target.pathname}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

let relay: Relay;
let catalog: StandIn;
let gateway: RunningGateway;
const ip = `198.51.100.${randomInt(1, 255)}`;
const consoleErrors = vi.spyOn(console, 'error');

beforeAll(async () => {
  relay = await startRelay(new URL(testRedisUrl()));
  catalog = await startEchoService('catalog');
  gateway = await startGateway(issuer.verifier, {
    CATALOG_URL: catalog.url,
    REDIS_URL: relay.url,
    RATE_LIMIT_PER_MINUTE: '5',
    TRUST_PROXY_HOPS: '1',
  });
});
afterAll(async () => {
  await gateway?.close();
  await catalog?.close();
  consoleErrors.mockRestore();
});

const read = () => fetch(`${gateway.url}/catalog/products`, { headers: { 'x-forwarded-for': ip } });

describe('with Redis stopped', () => {
  it('stays ready, serves, and limits each client per replica', async () => {
    expect((await fetch(`${gateway.management}/readyz`)).status).toBe(200);
    await relay.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await read()).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const ready = await fetch(`${gateway.management}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: {} });
    const unhandled = consoleErrors.mock.calls.filter((args) => String(args[0]).includes('Unhandled error'));
    expect(unhandled).toEqual([]);
  });
});
