import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '@minishop/devstack/otlp-receiver';
import { testDatabaseUrl, testRedisUrl } from '@minishop/devstack/testing';
import { tracesUrl } from '../src/telemetry.ts';
import { ROOT, startProcess, stopProcess, type Started } from './fixtures/service-process.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures/traced-service.ts');
const GATEWAY = path.join(ROOT, 'services/gateway/src/main.ts');
const SERVER = 2;
const CLIENT = 3;

const children: ChildProcess[] = [];
/** A service process that afterAll stops if the test has not. */
async function start(script: string, env: Record<string, string>): Promise<Started> {
  const started = await startProcess(script, env);
  children.push(started.child);
  return started;
}

let collector: OtlpReceiver;
let databaseUrl: string;

beforeAll(async () => {
  collector = await startOtlpReceiver();
  databaseUrl = await testDatabaseUrl('telemetry');
});
afterAll(async () => {
  await Promise.all(children.map(stopProcess));
  await collector.close();
});

describe('tracing', () => {
  it('continues the caller trace through the gateway and two services, down to PostgreSQL and Redis', async () => {
    const traced = (name: string) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: name,
    });
    const back = await start(FIXTURE, {
      ...traced('back'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: testRedisUrl(),
    });
    const front = await start(FIXTURE, { ...traced('front'), NEXT_URL: back.url });
    const gateway = await start(GATEWAY, {
      ...traced('gateway'),
      CATALOG_URL: front.url,
      REDIS_URL: testRedisUrl(),
      // Nothing listens there: the public route needs no token.
      AUTH_URL: 'http://127.0.0.1:9',
    });

    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const res = await fetch(`${gateway.url}/catalog/trace?token=secret-token-value&page=2`, {
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ via: { one: 1, redis: 'PONG' } });
    const requestId = res.headers.get('x-request-id');
    const loaded = (await (await fetch(`${back.url}/loaded`)).json()) as { modules: string[] };
    expect(loaded.modules).toContain('@opentelemetry/sdk-trace');

    await Promise.all([gateway, front, back].map((p) => stopProcess(p.child)));

    const spans = collector.spans.filter((s) => s.traceId === traceId);
    const one = (service: string, kind: number, parentSpanId: string) => {
      const found = spans.filter(
        (s) => s.service === service && s.kind === kind && s.parentSpanId === parentSpanId,
      );
      expect(found, `${service} span of kind ${kind} under ${parentSpanId}`).toHaveLength(1);
      return found[0]!;
    };
    const gatewayServer = one('gateway', SERVER, callerSpanId);
    const gatewayClient = one('gateway', CLIENT, gatewayServer.spanId);
    const frontServer = one('front', SERVER, gatewayClient.spanId);
    const frontClient = one('front', CLIENT, frontServer.spanId);
    const backServer = one('back', SERVER, frontClient.spanId);

    expect(gatewayServer.name).toBe('GET /catalog/*');
    expect(frontServer.name).toBe('GET /catalog/trace');
    expect(backServer.name).toBe('GET /catalog/trace');
    for (const server of [gatewayServer, frontServer, backServer]) {
      expect(server.attributes['minishop.request_id']).toBe(requestId);
    }
    // Query values are never recorded, in any span; their names are.
    expect(JSON.stringify(collector.spans)).not.toContain('secret-token-value');
    for (const server of [gatewayServer, frontServer, backServer]) {
      expect(server.attributes['url.query']).toBe('token=REDACTED&page=REDACTED');
    }
    for (const client of [gatewayClient, frontClient]) {
      expect(client.attributes['url.full']).toMatch(/\/catalog\/trace\?token=REDACTED&page=REDACTED$/);
    }

    const backSpans = spans.filter((s) => s.service === 'back');
    expect(backSpans.some((s) => s.scope.endsWith('instrumentation-pg') && /^pg\.query/.test(s.name))).toBe(
      true,
    );
    expect(backSpans.some((s) => s.scope.endsWith('instrumentation-ioredis') && s.name === 'ping')).toBe(
      true,
    );

    const logLine = back.logs.find((l) => l.msg === 'end of the chain reached');
    expect(logLine).toMatchObject({ trace_id: traceId, reqId: requestId });
  });

  it('loads nothing of OpenTelemetry when no collector is configured, and serves as usual', async () => {
    const plain = await start(FIXTURE, { DATABASE_URL: databaseUrl, REDIS_URL: testRedisUrl() });
    const res = await fetch(`${plain.url}/catalog/trace`, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(await res.json()).toEqual({ one: 1, redis: 'PONG' });
    const loaded = (await (await fetch(`${plain.url}/loaded`)).json()) as { modules: string[] };
    // prom-client loads the bare API by itself; no SDK, exporter, instrumentation or loader hook.
    expect(loaded.modules.filter((m) => m !== '@opentelemetry/api')).toEqual([]);
    expect(plain.logs.find((l) => l.msg === 'end of the chain reached')).not.toHaveProperty('trace_id');
    await stopProcess(plain.child);
  });

  it('writes access lines at debug without query values', async () => {
    const debug = await start(FIXTURE, {
      LOG_LEVEL: 'debug',
      DATABASE_URL: databaseUrl,
      REDIS_URL: testRedisUrl(),
    });
    await (await fetch(`${debug.url}/slow?ms=1&token=secret-token-value`)).text();
    await stopProcess(debug.child);
    const access = debug.logs.find((l) => l.msg === 'request completed');
    expect(access).toMatchObject({ url: '/slow?ms=REDACTED&token=REDACTED', status: 200 });
    expect(JSON.stringify(debug.logs)).not.toContain('secret-token-value');
  });

  it('sends spans to /v1/traces under the configured base URL', () => {
    expect(tracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(tracesUrl('https://otel.example.com/otlp/')).toBe('https://otel.example.com/otlp/v1/traces');
  });
});
