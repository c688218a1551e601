// One service app for a test file: a fresh database with its migrations, the service's config
// from its checked schema, signed tokens of every role, the app listening on a free port, and a
// small HTTP client for it. Suites add the outside world they need (a simulator, a mail sink).
import type { Static, TObject } from '@sinclair/typebox';
import { loadConfig } from '@minishop/kit/config';
import { createPool, type Pool } from '@minishop/kit/db';
import type { App } from '@minishop/kit/http';
import type { TokenVerifier } from '@minishop/kit/jwt';
import { createTestIssuer, type TestIssuer } from '@minishop/kit/testing';
import { portOf, testDatabaseUrl } from './testing.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read answer bodies field by field
export type Json = any;

export interface HttpAnswer<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export interface HttpOptions {
  token?: string;
  body?: unknown;
  /** A body sent as it is (malformed JSON, another content type, signed bytes). */
  raw?: string;
  headers?: Record<string, string>;
}

/** One request; a JSON answer is parsed, anything else is kept as text. */
export async function http<T = Json>(
  baseUrl: string,
  method: string,
  path: string,
  options: HttpOptions = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  // Every outbound call has a timeout: an answer that never comes fails the test, not hangs it.
  const res = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface ServiceStack<C> {
  url: string;
  app: App;
  pool: Pool;
  config: C;
  issuer: TestIssuer;
  call<T = Json>(method: string, path: string, options?: HttpOptions): Promise<HttpAnswer<T>>;
  /** Starts another app on the same database and config (a second replica); returns its URL. */
  replica(): Promise<string>;
  close(): Promise<void>;
}

export interface ServiceStackOptions<S extends TObject> {
  /** Names the test database. */
  name: string;
  schema: S;
  /** The service's environment on top of MINISHOP_ENV=test, LOG_LEVEL=silent and DATABASE_URL. */
  env: Record<string, string>;
  migrate(pool: Pool): Promise<unknown>;
  build(deps: { config: Static<S>; pool: Pool; tokens: TokenVerifier }): Promise<App>;
  /** The issuer of the test's tokens, when the suite needs it before the app exists. */
  issuer?: TestIssuer;
}

export async function startServiceStack<S extends TObject>(
  options: ServiceStackOptions<S>,
): Promise<ServiceStack<Static<S>>> {
  const issuer = options.issuer ?? createTestIssuer();
  const databaseUrl = await testDatabaseUrl(options.name);
  const pool = createPool(databaseUrl);
  await options.migrate(pool);
  const config = loadConfig(options.schema, {
    MINISHOP_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    ...options.env,
  });
  const apps: App[] = [];
  const listen = async () => {
    const app = await options.build({ config, pool, tokens: issuer.verifier });
    await app.listen({ host: '127.0.0.1', port: 0 });
    apps.push(app);
    return { app, url: `http://127.0.0.1:${portOf(app.server)}` };
  };
  const { app, url } = await listen();
  return {
    url,
    app,
    pool,
    config,
    issuer,
    call: (method, path, opts) => http(url, method, path, opts),
    replica: async () => (await listen()).url,
    async close() {
      await Promise.all(apps.map((a) => a.close()));
      await pool.end();
    },
  };
}

/** The series of one metric of an app, as label values plus `value`. */
export async function metricSeries(app: App, name: string): Promise<Array<Record<string, string | number>>> {
  const metric = app.metricsRegistry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(
    (v) => ({ ...v.labels, value: v.value }) as Record<string, string | number>,
  );
}
