import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '@minishop/devstack/testing';
import { startServiceStack, type Json, type ServiceStack } from '@minishop/devstack/service-stack';
import { migrate } from '@minishop/kit/db';
import { createServiceClient } from '@minishop/kit/service-client';
import { createTestIssuer } from '@minishop/kit/testing';
import { buildApp } from '../src/app.ts';
import { ConfigSchema, type Config } from '../src/config.ts';
import { TRACKING_NUMBER_PATTERN, newTrackingNumber } from '../src/domain/tracking-number.ts';
import { MIGRATIONS_DIR } from '../src/migrate.ts';
import { startOrdersStandIn, type OrdersStandIn } from './orders-stand-in.ts';

const issuer = createTestIssuer();
const serviceToken = issuer.service(['shipping:create'], 'orders');
let orders: OrdersStandIn;
let stack: ServiceStack<Config>;
const serverErrors: string[] = [];

function ordersClient() {
  return createServiceClient({
    name: 'orders',
    baseUrl: orders.url,
    timeoutMs: 2_000,
    retries: 0,
    breaker: { failureThreshold: 5, openMs: 200 },
    token: async () => issuer.service(['orders:update'], 'shipping'),
  });
}

const relay = { intervalMs: 50, backoff: { baseMs: 50, maxMs: 400 } };

interface Reply {
  status: number;
  type: string;
  body: Json;
}

/** A request to Shipping; any 5xx is remembered, since no input may cause one. */
async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> =
    options.raw === undefined ? {} : { 'content-type': 'application/json' };
  const res = await stack.call(method, path, { ...options, headers });
  if (res.status >= 500) serverErrors.push(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: res.body };
}

const address = () => ({
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postal_code: 'N1 9GU',
  country: 'GB',
});

async function createFor(userId: string, orderId = randomUUID(), token = serviceToken) {
  return call('POST', '/shipping', {
    token,
    body: { order_id: orderId, user_id: userId, address: address() },
  });
}

const eventsOf = (shipmentId: string) => orders.received.filter((e) => e.shipment_id === shipmentId);

/** Waits until Orders has received at least `count` events of the shipment; returns them. */
const eventsArrived = (shipmentId: string, count: number, what: string) =>
  eventually(async () => {
    const events = eventsOf(shipmentId);
    return events.length >= count ? events : null;
  }, what);

beforeAll(async () => {
  orders = await startOrdersStandIn(issuer.verifier);
  stack = await startServiceStack({
    name: 'shipping',
    schema: ConfigSchema,
    issuer,
    env: { AUTH_URL: 'http://127.0.0.1:9', ORDERS_URL: orders.url, SERVICE_CLIENT_SECRET: 'unused-in-tests' },
    migrate: (pool) => migrate(pool, MIGRATIONS_DIR),
    build: (deps) => buildApp({ ...deps, orders: ordersClient(), relay }),
  });
});

afterAll(async () => {
  await stack?.close();
  await orders?.close();
});

describe('creating shipments', () => {
  it('creates a shipment with a tracking number for a service holding shipping:create', async () => {
    const user = randomUUID();
    const orderId = randomUUID();
    const res = await createFor(user, orderId);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      order_id: orderId,
      status: 'label_created',
      tracking_number: expect.stringMatching(TRACKING_NUMBER_PATTERN),
      carrier: 'Minishop Express',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(res.body.created_at))).toBe(false);
  });

  it('returns the same shipment with 200 when the order is sent again', async () => {
    const user = randomUUID();
    const orderId = randomUUID();
    const first = await createFor(user, orderId);
    const again = await createFor(user, orderId);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('makes exactly one shipment when the same order arrives many times at once', async () => {
    const user = randomUUID();
    const orderId = randomUUID();
    const results = await Promise.all(Array.from({ length: 8 }, () => createFor(user, orderId)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const listed = await call('GET', `/shipping?order_id=${orderId}`, { token: issuer.admin().token });
    expect(listed.body).toHaveLength(1);
  });

  it('refuses to reuse an order for a different user', async () => {
    const orderId = randomUUID();
    await createFor(randomUUID(), orderId);
    const other = await createFor(randomUUID(), orderId);
    expect(other.status).toBe(409);
    expect(other.type).toContain('application/problem+json');
  });

  it('lets an admin create a shipment', async () => {
    const res = await createFor(randomUUID(), randomUUID(), issuer.admin().token);
    expect(res.status).toBe(201);
  });

  it('does not let customers or services without the scope create shipments', async () => {
    const customer = issuer.customer();
    const orderId = randomUUID();
    expect((await createFor(customer.id, orderId, customer.token)).status).toBe(403);
    expect((await createFor(customer.id, orderId, issuer.service(['notify:send']))).status).toBe(403);
    const anonymous = await call('POST', '/shipping', {
      body: { order_id: orderId, user_id: customer.id, address: address() },
    });
    expect(anonymous.status).toBe(401);
    const listed = await call('GET', `/shipping?order_id=${orderId}`, { token: issuer.admin().token });
    expect(listed.body).toEqual([]);
  });

  it('gives every shipment its own tracking number', async () => {
    const created: Reply[] = [];
    for (let batch = 0; batch < 5; batch++) {
      created.push(...(await Promise.all(Array.from({ length: 20 }, () => createFor(randomUUID())))));
    }
    expect(created.every((r) => r.status === 201)).toBe(true);
    const numbers = created.map((r) => r.body.tracking_number as string);
    expect(new Set(numbers).size).toBe(100);
    expect(numbers.every((n) => TRACKING_NUMBER_PATTERN.test(n))).toBe(true);
  });

  it('picks another tracking number when the first one is already taken', async () => {
    const taken = (await createFor(randomUUID())).body.tracking_number as string;
    const generated = [taken, taken];
    const clashing = await buildApp({
      config: stack.config,
      pool: stack.pool,
      tokens: issuer.verifier,
      orders: ordersClient(),
      trackingNumber: () => generated.shift() ?? newTrackingNumber(),
    });
    try {
      const res = await clashing.inject({
        method: 'POST',
        url: '/shipping',
        headers: { authorization: `Bearer ${serviceToken}` },
        payload: { order_id: randomUUID(), user_id: randomUUID(), address: address() },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().tracking_number).not.toBe(taken);
      expect(res.json().tracking_number).toMatch(TRACKING_NUMBER_PATTERN);
    } finally {
      await clashing.close();
    }
  });
});

describe('reading shipments', () => {
  it('shows a shipment to its owner, to admins and to the ordering service, and to nobody else', async () => {
    const owner = issuer.customer();
    const created = await createFor(owner.id);
    const path = `/shipping/${created.body.id}`;
    const mine = await call('GET', path, { token: owner.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual(created.body);
    expect((await call('GET', path, { token: issuer.admin().token })).status).toBe(200);
    expect((await call('GET', path, { token: serviceToken })).status).toBe(200);

    const stranger = await call('GET', path, { token: issuer.customer().token });
    expect(stranger.status).toBe(404);
    expect(stranger.type).toContain('application/problem+json');
    expect((await call('GET', path, { token: issuer.service(['notify:send']) })).status).toBe(404);
    expect((await call('GET', path)).status).toBe(401);
  });

  it('answers 404 for a shipment that does not exist', async () => {
    expect((await call('GET', `/shipping/${randomUUID()}`, { token: issuer.admin().token })).status).toBe(
      404,
    );
  });

  it('lists the shipment of an order for admins and services only', async () => {
    const owner = issuer.customer();
    const orderId = randomUUID();
    const created = await createFor(owner.id, orderId);
    const listed = await call('GET', `/shipping?order_id=${orderId}`, { token: serviceToken });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([created.body]);
    expect((await call('GET', `/shipping?order_id=${orderId}`, { token: owner.token })).status).toBe(403);
    const none = await call('GET', `/shipping?order_id=${randomUUID()}`, { token: issuer.admin().token });
    expect(none.body).toEqual([]);
  });
});

describe('status changes', () => {
  it('moves a shipment forward one step at a time and tells Orders about each step once', async () => {
    const owner = issuer.customer();
    const created = await createFor(owner.id);
    const admin = issuer.admin().token;
    const path = `/shipping/${created.body.id}`;

    const inTransit = await call('PATCH', path, { token: admin, body: { status: 'in_transit' } });
    expect(inTransit.status).toBe(200);
    expect(inTransit.body).toMatchObject({ id: created.body.id, status: 'in_transit' });
    expect(Date.parse(inTransit.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.updated_at));
    const delivered = await call('PATCH', path, { token: admin, body: { status: 'delivered' } });
    expect(delivered.body.status).toBe('delivered');
    expect((await call('GET', path, { token: owner.token })).body.status).toBe('delivered');

    const events = await eventsArrived(created.body.id, 2, 'two events');
    expect(events.map((e) => ({ order_id: e.order_id, status: e.status }))).toEqual([
      { order_id: created.body.order_id, status: 'in_transit' },
      { order_id: created.body.order_id, status: 'delivered' },
    ]);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(2);
  });

  it('refuses to skip, repeat or go back a step with 409', async () => {
    const created = await createFor(randomUUID());
    const admin = issuer.admin().token;
    const path = `/shipping/${created.body.id}`;
    const skip = await call('PATCH', path, { token: admin, body: { status: 'delivered' } });
    expect(skip.status).toBe(409);
    expect(skip.body).toMatchObject({ current_status: 'label_created' });
    expect((await call('PATCH', path, { token: admin, body: { status: 'label_created' } })).status).toBe(409);
    await call('PATCH', path, { token: admin, body: { status: 'in_transit' } });
    expect((await call('PATCH', path, { token: admin, body: { status: 'in_transit' } })).status).toBe(409);
    expect((await call('PATCH', path, { token: admin, body: { status: 'label_created' } })).status).toBe(409);
    await call('PATCH', path, { token: admin, body: { status: 'delivered' } });
    expect((await call('PATCH', path, { token: admin, body: { status: 'in_transit' } })).status).toBe(409);
    expect((await call('PATCH', path, { token: admin, body: { status: 'delivered' } })).status).toBe(409);
    expect((await call('GET', path, { token: admin })).body.status).toBe('delivered');
    const events = await eventsArrived(created.body.id, 2, 'two events');
    expect(events.map((e) => e.status)).toEqual(['in_transit', 'delivered']);
  });

  it('applies one of many concurrent identical status changes', async () => {
    const created = await createFor(randomUUID());
    const admin = issuer.admin().token;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        call('PATCH', `/shipping/${created.body.id}`, { token: admin, body: { status: 'in_transit' } }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(5);
    await eventsArrived(created.body.id, 1, 'the event');
  });

  it('lets only admins change the status', async () => {
    const owner = issuer.customer();
    const created = await createFor(owner.id);
    const path = `/shipping/${created.body.id}`;
    expect((await call('PATCH', path, { token: owner.token, body: { status: 'in_transit' } })).status).toBe(
      403,
    );
    expect((await call('PATCH', path, { token: serviceToken, body: { status: 'in_transit' } })).status).toBe(
      403,
    );
    expect((await call('PATCH', path, { body: { status: 'in_transit' } })).status).toBe(401);
    const unknown = await call('PATCH', `/shipping/${randomUUID()}`, {
      token: issuer.admin().token,
      body: { status: 'in_transit' },
    });
    expect(unknown.status).toBe(404);
    expect((await call('GET', path, { token: owner.token })).body.status).toBe('label_created');
  });

  it('still delivers the events, in order and once each, after Orders was down for a while', async () => {
    const created = await createFor(randomUUID());
    const admin = issuer.admin().token;
    const path = `/shipping/${created.body.id}`;
    await orders.down();
    try {
      expect((await call('PATCH', path, { token: admin, body: { status: 'in_transit' } })).status).toBe(200);
      expect((await call('PATCH', path, { token: admin, body: { status: 'delivered' } })).status).toBe(200);
      await eventually(async () => {
        const { rows } = await stack.pool.query<{ attempts: number }>(
          'SELECT attempts FROM shipment_outbox WHERE shipment_id = $1',
          [created.body.id],
        );
        return rows.some((r) => r.attempts >= 3);
      }, 'several failed attempts');
      expect(eventsOf(created.body.id)).toEqual([]);
    } finally {
      await orders.up();
    }
    const events = await eventsArrived(created.body.id, 2, 'both events');
    expect(events.map((e) => e.status)).toEqual(['in_transit', 'delivered']);
  });

  it('keeps retrying while Orders answers 503 and delivers once it recovers', async () => {
    const created = await createFor(randomUUID());
    orders.failing(true);
    const refusedBefore = orders.refused;
    try {
      await call('PATCH', `/shipping/${created.body.id}`, {
        token: issuer.admin().token,
        body: { status: 'in_transit' },
      });
      await eventually(async () => orders.refused >= refusedBefore + 3, 'several refused deliveries');
    } finally {
      orders.failing(false);
    }
    const events = await eventsArrived(created.body.id, 1, 'the event');
    expect(events.map((e) => e.status)).toEqual(['in_transit']);
  });
});

describe('cancelling', () => {
  it('cancels a shipment that has not left, repeatably, for the ordering service or an admin', async () => {
    const owner = issuer.customer();
    const created = await createFor(owner.id);
    const path = `/shipping/${created.body.id}`;
    const cancelled = await call('POST', `${path}/cancel`, { token: serviceToken });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: created.body.id, status: 'cancelled' });
    expect((await call('POST', `${path}/cancel`, { token: issuer.admin().token })).body.status).toBe(
      'cancelled',
    );
    expect((await call('GET', path, { token: owner.token })).body.status).toBe('cancelled');
    const moved = await call('PATCH', path, { token: issuer.admin().token, body: { status: 'in_transit' } });
    expect(moved.status).toBe(409);
    expect(eventsOf(created.body.id)).toEqual([]);
  });

  it('refuses to cancel a shipment on its way, or for customers', async () => {
    const owner = issuer.customer();
    const created = await createFor(owner.id);
    const path = `/shipping/${created.body.id}`;
    expect((await call('POST', `${path}/cancel`, { token: owner.token })).status).toBe(403);
    await call('PATCH', path, { token: issuer.admin().token, body: { status: 'in_transit' } });
    const late = await call('POST', `${path}/cancel`, { token: serviceToken });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ current_status: 'in_transit' });
    expect((await call('POST', `/shipping/${randomUUID()}/cancel`, { token: serviceToken })).status).toBe(
      404,
    );
    await eventsArrived(created.body.id, 1, 'the in_transit event');
  });
});

describe('bad input', () => {
  it('rejects invalid shipment bodies with 422 and creates nothing', async () => {
    const orderId = randomUUID();
    const user = randomUUID();
    const bodies: unknown[] = [
      { order_id: orderId, user_id: user },
      { order_id: orderId, user_id: user, address: { ...address(), city: '' } },
      { order_id: orderId, user_id: user, address: { ...address(), line1: '   ' } },
      { order_id: orderId, user_id: user, address: { ...address(), phone: '123' } },
      { order_id: orderId, user_id: user, address: address(), status: 'delivered' },
      { order_id: 'order-1', user_id: user, address: address() },
      { order_id: orderId, user_id: 'someone', address: address() },
      { order_id: orderId, address: address() },
      [],
    ];
    for (const body of bodies) {
      const res = await call('POST', '/shipping', { token: serviceToken, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.type).toContain('application/problem+json');
    }
    const listed = await call('GET', `/shipping?order_id=${orderId}`, { token: issuer.admin().token });
    expect(listed.body).toEqual([]);
  });

  it('accepts an optional second address line', async () => {
    const res = await call('POST', '/shipping', {
      token: serviceToken,
      body: { order_id: randomUUID(), user_id: randomUUID(), address: { ...address(), line2: 'Flat 3' } },
    });
    expect(res.status).toBe(201);
  });

  it('rejects bad status changes, ids and JSON with 4xx', async () => {
    const created = await createFor(randomUUID());
    const admin = issuer.admin().token;
    const path = `/shipping/${created.body.id}`;
    for (const body of [
      { status: 'lost' },
      { status: 'cancelled' },
      { status: 'in_transit', note: 'x' },
      {},
      { status: 1 },
    ]) {
      expect((await call('PATCH', path, { token: admin, body })).status).toBe(422);
    }
    expect((await call('GET', '/shipping/not-a-uuid', { token: admin })).status).toBe(422);
    expect(
      (await call('PATCH', '/shipping/42', { token: admin, body: { status: 'in_transit' } })).status,
    ).toBe(422);
    expect((await call('GET', '/shipping?order_id=abc', { token: admin })).status).toBe(422);
    const malformed = await call('POST', '/shipping', { token: serviceToken, raw: '{"order_id":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toBe('malformed JSON body');
    expect((await call('GET', path, { token: admin })).body.status).toBe('label_created');
  });

  it('never answered with a server error and never sent an event twice', () => {
    expect(serverErrors).toEqual([]);
    const ids = orders.received.map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
