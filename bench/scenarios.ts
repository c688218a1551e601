// The read scenarios the report holds to floors, and the diagnostics that explain them (the
// gateway hop alone, the gateway without its cache, the services without the gateway), as specs
// for measure().
import type { HttpTarget } from './jobs.ts';
import type { ScenarioSpec } from './measure.ts';
import { PASSWORD } from './settings.ts';

export interface ReadFixtures {
  gateway: string;
  /** The gateway's management server, whose /metrics count cache hits. */
  gatewayManagement: string;
  productIds: string[];
  readerToken: string;
  readerName: string;
}

const WIDE = { connections: 32, rateConnections: 64 };

export function baselineSpec(baselinePort: number, again = false): ScenarioSpec {
  return {
    name: again ? 'baseline GET / (bare node:http), again at the end' : 'baseline GET / (bare node:http)',
    target: { origin: `http://127.0.0.1:${baselinePort}`, method: 'GET', paths: ['/'] },
    ...WIDE,
    ...(again ? { maxOnly: true } : {}),
  };
}

export function readSpecs(f: ReadFixtures): ScenarioSpec[] {
  const target = (method: 'GET' | 'POST', paths: string[], extra: Partial<HttpTarget> = {}): HttpTarget => ({
    origin: f.gateway,
    method,
    paths,
    ...extra,
  });
  const products = f.productIds.map((id) => `/catalog/products/${id}`);
  return [
    {
      name: 'GET /catalog/products/{id} (gateway)',
      target: target('GET', products),
      ...WIDE,
      cacheHitsFrom: f.gatewayManagement,
    },
    {
      name: 'GET /catalog/products?limit=20 (gateway)',
      target: target('GET', ['/catalog/products?limit=20']),
      ...WIDE,
      cacheHitsFrom: f.gatewayManagement,
    },
    {
      name: 'GET /auth/me (gateway, bearer token)',
      target: target('GET', ['/auth/me'], { headers: { authorization: `Bearer ${f.readerToken}` } }),
      ...WIDE,
    },
    {
      name: 'POST /auth/login (gateway)',
      target: target('POST', ['/auth/login'], {
        body: JSON.stringify({ username: f.readerName, password: PASSWORD }),
      }),
      connections: 8,
      rateConnections: 32,
    },
  ];
}

/** The diagnostics after the hop gateway's: the same reads with the cache bypassed and without the gateway. */
export function directSpecs(f: ReadFixtures, services: { catalog: string; auth: string }): ScenarioSpec[] {
  const products = f.productIds.map((id) => `/catalog/products/${id}`);
  return [
    {
      // The gateway may answer public reads from a short cache: the same read that always goes to Catalog.
      name: 'GET /catalog/products/{id} (gateway, Cache-Control: no-cache, always forwarded)',
      target: { origin: f.gateway, method: 'GET', paths: products, headers: { 'cache-control': 'no-cache' } },
      ...WIDE,
      maxOnly: true,
      cacheHitsFrom: f.gatewayManagement,
    },
    {
      name: 'GET /catalog/products/{id} (catalog directly, no gateway)',
      target: { origin: services.catalog, method: 'GET', paths: products },
      ...WIDE,
      maxOnly: true,
    },
    {
      name: 'GET /auth/me (auth directly, no gateway)',
      target: {
        origin: services.auth,
        method: 'GET',
        paths: ['/auth/me'],
        headers: { authorization: `Bearer ${f.readerToken}` },
      },
      ...WIDE,
      maxOnly: true,
    },
  ];
}

export function hopSpec(f: ReadFixtures, hopOrigin: string, hopPid: number): ScenarioSpec {
  return {
    name: 'GET /catalog/products/{id} (gateway → bare node:http upstream: the hop alone)',
    target: { origin: hopOrigin, method: 'GET', paths: f.productIds.map((id) => `/catalog/products/${id}`) },
    ...WIDE,
    maxOnly: true,
    extraWatched: [{ name: 'gateway (bare upstream)', pid: hopPid }],
  };
}
