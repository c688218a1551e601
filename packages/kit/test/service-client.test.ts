import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@minishop/devstack/free-port';
import { eventually } from '@minishop/devstack/testing';
import { UpstreamUnavailable, createServiceClient } from '../src/service-client.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function upstream(handler: (count: number, res: import('node:http').ServerResponse) => void) {
  let count = 0;
  server = createServer((req, res) => {
    req.resume();
    count += 1;
    handler(count, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls: () => count };
}

const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

describe('service client', () => {
  it('retries idempotent calls after a 503 and returns the answer', async () => {
    const up = await upstream((n, res) => (n < 3 ? json(res, 503, {}) : json(res, 200, { ok: true })));
    const client = createServiceClient({ name: 'up', baseUrl: up.url, retryBaseMs: 1 });
    const res = await client.request<{ ok: boolean }>({ method: 'GET', path: '/x' });
    expect(res.body.ok).toBe(true);
    expect(up.calls()).toBe(3);
  });

  it('never repeats a non-idempotent call', async () => {
    const up = await upstream((_n, res) => json(res, 503, {}));
    const client = createServiceClient({ name: 'up', baseUrl: up.url, retryBaseMs: 1 });
    await expect(client.request({ method: 'POST', path: '/x', body: {} })).rejects.toBeInstanceOf(
      UpstreamUnavailable,
    );
    expect(up.calls()).toBe(1);
  });

  it('returns client errors to the caller without retrying', async () => {
    const up = await upstream((_n, res) => json(res, 409, { detail: 'conflict' }));
    const client = createServiceClient({ name: 'up', baseUrl: up.url, retryBaseMs: 1 });
    const res = await client.request({ method: 'GET', path: '/x' });
    expect(res.status).toBe(409);
    expect(up.calls()).toBe(1);
  });

  it('gives the answer’s headers by lower-case name', async () => {
    const up = await upstream((_n, res) => {
      res.writeHead(409, { 'Retry-After': '7', 'content-type': 'application/json' }).end('{"detail":"busy"}');
    });
    const client = createServiceClient({ name: 'up', baseUrl: up.url });
    const res = await client.request({ method: 'POST', path: '/x', body: {} });
    expect(res.headers['retry-after']).toBe('7');
    expect(res.body).toEqual({ detail: 'busy' });
  });

  it('says an upstream could not be reached without naming its address', async () => {
    const client = createServiceClient({
      name: 'up',
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      retries: 0,
    });
    const failure = await client.request({ method: 'GET', path: '/x' }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(UpstreamUnavailable);
    expect((failure as Error).message).toBe('up is unavailable: no answer (ECONNREFUSED)');
  });

  it('times out a slow upstream', async () => {
    const up = await upstream((_n, res) => setTimeout(() => json(res, 200, {}), 2000));
    const client = createServiceClient({ name: 'up', baseUrl: up.url, timeoutMs: 50, retries: 0 });
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(/timed out/);
  });

  it('sends nothing after the call’s deadline, even when the process was held past it', async () => {
    const up = await upstream((_n, res) => {
      // Blocks the whole process, as a SIGSTOP would, until well past the caller's deadline.
      const until = performance.now() + 300;
      while (performance.now() < until);
      json(res, 503, {});
    });
    const client = createServiceClient({ name: 'up', baseUrl: up.url, retryBaseMs: 1, retries: 5 });
    const deadline = performance.now() + 100;
    await expect(client.request({ method: 'GET', path: '/x', deadline })).rejects.toThrow(/deadline passed/);
    expect(up.calls()).toBe(1);
    await expect(
      client.request({ method: 'GET', path: '/x', deadline: performance.now() - 1 }),
    ).rejects.toBeInstanceOf(UpstreamUnavailable);
    expect(up.calls()).toBe(1);
  });

  it('ends an attempt at the call’s deadline when that comes before its timeout', async () => {
    // Answers well within the timeout, but after the deadline: the caller must not get it.
    const up = await upstream((_n, res) => setTimeout(() => json(res, 200, {}), 1000));
    const client = createServiceClient({ name: 'up', baseUrl: up.url, timeoutMs: 10_000 });
    await expect(
      client.request({ method: 'GET', path: '/x', deadline: performance.now() + 100 }),
    ).rejects.toThrow(/deadline passed/);
    expect(up.calls()).toBe(1);
  });

  /** A client without retries whose circuit opens after `failures` failed calls, which it makes. */
  async function openedCircuit(url: string, failures: number, openMs: number) {
    const client = createServiceClient({
      name: 'up',
      baseUrl: url,
      retries: 0,
      breaker: { failureThreshold: failures, openMs },
    });
    for (let i = 0; i < failures; i++) {
      await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow();
    }
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(/circuit open/);
    return client;
  }

  it('opens the circuit after repeated failures and stops calling', async () => {
    const up = await upstream((_n, res) => json(res, 500, {}));
    await openedCircuit(up.url, 3, 60_000);
    expect(up.calls()).toBe(3);
  });

  it('lets a trial call through once the circuit has been open for a while, and closes it again', async () => {
    let healthy = false;
    const up = await upstream((_n, res) => json(res, healthy ? 200 : 500, {}));
    const client = await openedCircuit(up.url, 2, 200);
    healthy = true;
    await eventually(
      async () => (await client.request({ method: 'GET', path: '/x' }).catch(() => null))?.status === 200,
    );
    expect((await client.request({ method: 'GET', path: '/x' })).status).toBe(200);
    expect(up.calls()).toBe(4);
  });

  it('does not retry when Auth will not give a service token', async () => {
    const up = await upstream((_n, res) => json(res, 200, {}));
    let asked = 0;
    const client = createServiceClient({
      name: 'up',
      baseUrl: up.url,
      retryBaseMs: 1,
      token: async () => {
        asked += 1;
        throw new UpstreamUnavailable('auth', 'token request failed with 503', 503);
      },
    });
    await expect(client.request({ method: 'GET', path: '/x' })).rejects.toThrow(/auth is unavailable/);
    expect(asked).toBe(1);
    expect(up.calls()).toBe(0);
  });

  it('refreshes a rejected service token once', async () => {
    const seen: string[] = [];
    server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      json(res, req.headers.authorization === 'Bearer t2' ? 200 : 401, {});
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let current = 't1';
    const client = createServiceClient({
      name: 'up',
      baseUrl: `http://127.0.0.1:${port}`,
      token: async () => current,
      onTokenRejected: () => {
        current = 't2';
      },
    });
    const res = await client.request({ method: 'POST', path: '/x', body: {} });
    expect(res.status).toBe(200);
    expect(seen).toEqual(['Bearer t1', 'Bearer t2']);
  });
});
