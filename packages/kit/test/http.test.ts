import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAdmin, requireScope, requireUser } from '../src/auth-guard.ts';
import { Conflict } from '../src/errors.ts';
import { createService, type App } from '../src/http.ts';
import { createTestIssuer } from '../src/testing.ts';

const issuer = createTestIssuer();
let app: App;
let ready = true;

beforeAll(async () => {
  app = await createService({
    name: 'kit-test',
    logLevel: 'silent',
    tokens: issuer.verifier,
    readiness: { thing: async () => (ready ? 'ok' : Promise.reject(new Error('thing is down'))) },
  });
  app.post(
    '/things',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1 }), count: Type.Integer() },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ ok: true, name: request.body.name }),
  );
  app.get('/conflict', async () => {
    throw new Conflict('already there', { thing: 'x' });
  });
  app.get('/boom', async () => {
    throw new Error('secret internal detail');
  });
  app.get('/mine', { onRequest: requireUser }, async (request) => ({ id: request.principal?.id }));
  app.get('/admin', { onRequest: requireAdmin }, async () => ({ ok: true }));
  app.get('/internal', { onRequest: requireScope('things:read') }, async () => ({ ok: true }));
  await app.ready();
});
afterAll(() => app.close());

function problemOf(res: { headers: Record<string, unknown>; json: () => Record<string, unknown> }) {
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body.request_id).toBeTruthy();
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  return body;
}

describe('service kit', () => {
  it('rejects unknown body fields with 422 naming the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'a', count: 1, role: 'admin' },
    });
    expect(res.statusCode).toBe(422);
    expect(problemOf(res).errors).toEqual([{ field: 'body.role', message: 'unknown field' }]);
  });

  it('does not coerce body types', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'a', count: '5' } });
    expect(res.statusCode).toBe(422);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "a",',
    });
    expect(res.statusCode).toBe(400);
    expect(problemOf(res).detail).toBe('malformed JSON body');
  });

  it('answers bodies over 1 MiB with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024), count: 1 }),
    });
    expect(res.statusCode).toBe(413);
    problemOf(res);
  });

  it('maps domain errors to problems and hides unknown errors', async () => {
    const conflict = await app.inject({ method: 'GET', url: '/conflict' });
    expect(conflict.statusCode).toBe(409);
    expect(problemOf(conflict)).toMatchObject({ status: 409, detail: 'already there', thing: 'x' });
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret internal detail');
    problemOf(boom);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    problemOf(res);
  });

  it('keeps a valid request id and replaces an invalid one', async () => {
    const kept = await app.inject({ method: 'GET', url: '/nope', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'bad id\n' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('guards routes by role and scope', async () => {
    const customer = issuer.customer().token;
    const admin = issuer.admin().token;
    const service = issuer.service(['things:read']);
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await app.inject({ url: '/mine' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/mine', headers: auth(customer) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/mine', headers: auth(service) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/admin', headers: auth(customer) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/admin', headers: auth(admin) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/internal', headers: auth(admin) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/internal', headers: auth(service) })).statusCode).toBe(200);
    expect(
      (await app.inject({ url: '/internal', headers: auth(issuer.service(['other'])) })).statusCode,
    ).toBe(403);
    expect((await app.inject({ url: '/mine', headers: { authorization: 'Bearer x.y.z' } })).statusCode).toBe(
      401,
    );
  });

  it('refuses, at start, a route that would check a token after reading the body', async () => {
    const other = await createService({ name: 'kit-test-late-guard', logLevel: 'silent' });
    expect(() => other.post('/late', { preValidation: requireUser }, async () => ({}))).toThrow(
      /POST \/late: a guard runs in preValidation; guards belong in onRequest/,
    );
    expect(() =>
      other.post('/late-too', { preHandler: [async () => {}, requireScope('x')] }, async () => ({})),
    ).toThrow(/guards belong in onRequest/);
    other.post('/early', { onRequest: requireUser }, async () => ({}));
    await other.close();
  });

  it('reports readiness from its dependency checks on the management server, without their error text', async () => {
    expect((await app.management.inject({ url: '/readyz' })).statusCode).toBe(200);
    ready = false;
    const res = await app.management.inject({ url: '/readyz' });
    ready = true;
    expect(res.statusCode).toBe(503);
    expect(problemOf(res).checks).toEqual({ thing: 'unavailable' });
    expect(res.body).not.toContain('thing is down');
  });

  it('serves health, readiness and metrics on the management server only', async () => {
    expect((await app.management.inject({ url: '/healthz' })).json()).toEqual({
      status: 'ok',
      service: 'kit-test',
    });
    for (const url of ['/healthz', '/readyz', '/metrics']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      problemOf(res);
    }
    const unknown = await app.management.inject({ url: '/things' });
    expect(unknown.statusCode).toBe(404);
    problemOf(unknown);
  });

  it('exposes a latency histogram per route and an OpenAPI document', async () => {
    await app.inject({ url: '/conflict' });
    const metrics = await app.management.inject({ url: '/metrics' });
    expect(metrics.body).toContain('minishop_http_request_duration_seconds_bucket{');
    expect(metrics.body).toContain('route="/conflict"');
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/things');
  });
});
