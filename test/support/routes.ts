// Every route the shop serves, as the API documentation names it, with a concrete request that
// is valid for it and who may call it. Public routes are called through the gateway; internal
// ones (only services call them, and the gateway refuses them) at their own service, as another
// service would. The role matrix, the unknown-field, malformed-JSON and bad-id suites all work
// from this one catalogue; a test compares it with the services' documents so that a new route
// cannot be added without appearing here.
import { randomUUID } from 'node:crypto';
import { openAccount, serviceToken, uniqueName, type Account } from './callers.ts';
import { ADDRESS, call, type Reply, type Shop } from './shop.ts';
import type { ServiceName } from '../../tools/launcher/src/components.ts';

export const CALLERS = ['anonymous', 'customer', 'admin', 'orders', 'shipping'] as const;
/** anonymous, a customer, the admin, and two services: the Orders client and the Shipping client. */
export type Caller = (typeof CALLERS)[number];

/** 401, 403, or "allowed": any answer that is not 401/403 (2xx, 404, 409, 422 ...). */
export type Outcome = 401 | 403 | 'allowed';
export type Access = Record<Caller, Outcome>;

export const PUBLIC: Access = {
  anonymous: 'allowed',
  customer: 'allowed',
  admin: 'allowed',
  orders: 'allowed',
  shipping: 'allowed',
};
/** Any valid token. */
export const SIGNED_IN: Access = { ...PUBLIC, anonymous: 401 };
/** A signed-in person (customer or admin); service tokens are not people. */
export const USER: Access = { ...SIGNED_IN, orders: 403, shipping: 403 };
export const ADMIN: Access = { anonymous: 401, customer: 403, admin: 'allowed', orders: 403, shipping: 403 };

/** Only service tokens of these clients (which hold the route's scope); admins too when said. */
function service(clients: Array<'orders' | 'shipping'>, options: { admin?: boolean } = {}): Access {
  return {
    anonymous: 401,
    customer: 403,
    admin: options.admin ? 'allowed' : 403,
    orders: clients.includes('orders') ? 'allowed' : 403,
    shipping: clients.includes('shipping') ? 'allowed' : 403,
  };
}

export interface Fixtures {
  shop: Shop;
  /** The signed-in customer whose token the matrix uses. */
  customer: Account;
  /** An account only used to sign in (its password is known). */
  signer: Account;
  /** In stock, 1000 units: carts and reservations take from it. */
  product: { id: string };
  /** Admins edit this one. */
  editable: { id: string };
  tokens: Record<Caller, string | undefined>;
  /** A refresh token nobody has used yet. */
  freshRefreshToken(): Promise<string>;
}

export interface RouteCase {
  /** Method and path as /docs/json lists them, e.g. `GET /orders/{id}`. */
  route: string;
  access: Access;
  /** The concrete path; by default every `{param}` becomes a fresh UUID. */
  path?: (f: Fixtures) => string;
  /** A valid JSON body (an object) for the route. */
  body?: (f: Fixtures) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The body is raw bytes, not JSON (signed webhooks). */
  rawBody?: boolean;
  /** Only services call it: marked internal by its service, refused by the gateway. */
  internal?: boolean;
}

const newUser = () => {
  const username = uniqueName('matrix');
  return { username, email: `${username}@example.test`, password: 'a long enough password' };
};

export const ROUTES: RouteCase[] = [
  // Auth
  { route: 'POST /auth/register', access: PUBLIC, body: newUser },
  {
    route: 'POST /auth/login',
    access: PUBLIC,
    body: (f) => ({ username: f.signer.username, password: f.signer.password }),
  },
  {
    route: 'POST /auth/refresh',
    access: PUBLIC,
    body: async (f) => ({ refresh_token: await f.freshRefreshToken() }),
  },
  { route: 'POST /auth/logout', access: USER, body: () => ({}) },
  { route: 'GET /auth/me', access: USER },
  { route: 'POST /auth/verify-email', access: PUBLIC, body: () => ({ token: 'not-a-real-token' }) },
  {
    route: 'GET /auth/verify-email',
    access: PUBLIC,
    path: () => '/auth/verify-email?token=not-a-real-token',
  },
  { route: 'GET /auth/.well-known/jwks.json', access: PUBLIC },
  {
    route: 'POST /auth/token',
    internal: true,
    access: PUBLIC,
    body: (f) => ({
      grant_type: 'client_credentials',
      client_id: 'shipping',
      client_secret: f.shop.stack.secrets.serviceClients.shipping,
    }),
  },
  // Catalog
  { route: 'GET /catalog/products', access: PUBLIC, path: () => '/catalog/products?limit=5&sort=-price' },
  {
    route: 'POST /catalog/products',
    access: ADMIN,
    body: () => ({
      name: `Matrix lamp ${randomUUID().slice(0, 8)}`,
      description: 'brass',
      price: '9.90',
      stock: 3,
    }),
  },
  { route: 'POST /catalog/products/lookup', access: PUBLIC, body: (f) => ({ ids: [f.product.id] }) },
  { route: 'GET /catalog/products/{id}', access: PUBLIC, path: (f) => `/catalog/products/${f.product.id}` },
  {
    route: 'PATCH /catalog/products/{id}',
    access: ADMIN,
    path: (f) => `/catalog/products/${f.editable.id}`,
    body: () => ({ description: `edited ${randomUUID()}` }),
  },
  { route: 'DELETE /catalog/products/{id}', access: ADMIN },
  {
    route: 'POST /catalog/reservations',
    internal: true,
    access: service(['orders']),
    body: (f) => ({ order_id: randomUUID(), items: [{ product_id: f.product.id, quantity: 1 }] }),
  },
  { route: 'GET /catalog/reservations/{order_id}', internal: true, access: service(['orders']) },
  { route: 'POST /catalog/reservations/{order_id}/commit', internal: true, access: service(['orders']) },
  { route: 'POST /catalog/reservations/{order_id}/release', internal: true, access: service(['orders']) },
  // Cart
  { route: 'GET /cart', access: USER },
  { route: 'POST /cart/items', access: USER, body: (f) => ({ product_id: f.product.id, quantity: 1 }) },
  {
    route: 'PATCH /cart/items/{product_id}',
    access: USER,
    path: (f) => `/cart/items/${f.product.id}`,
    body: () => ({ quantity: 1 }),
  },
  { route: 'DELETE /cart/items/{product_id}', access: USER, path: (f) => `/cart/items/${f.product.id}` },
  { route: 'DELETE /cart', access: USER },
  {
    route: 'GET /cart/internal/{user_id}',
    internal: true,
    access: service(['orders']),
    path: (f) => `/cart/internal/${f.customer.id}`,
  },
  { route: 'DELETE /cart/internal/{user_id}', internal: true, access: service(['orders']) },
  // Orders
  { route: 'POST /orders', access: USER, body: () => ({ shipping_address: ADDRESS }) },
  { route: 'GET /orders', access: USER, path: () => '/orders?limit=5' },
  { route: 'GET /orders/{id}', access: USER },
  { route: 'POST /orders/{id}/cancel', access: USER },
  {
    route: 'POST /orders/{id}/retry-payment',
    access: USER,
    body: () => ({ payment_method: 'pm_card_visa' }),
  },
  {
    route: 'POST /orders/{id}/shipment-events',
    internal: true,
    access: service(['shipping']),
    body: () => ({ event_id: randomUUID(), shipment_id: randomUUID(), status: 'in_transit' }),
  },
  // Payments
  {
    route: 'POST /payments/charges',
    internal: true,
    access: service(['orders']),
    body: () => ({
      order_id: randomUUID(),
      user_id: randomUUID(),
      attempt: 1,
      amount: '1.00',
      currency: 'USD',
      payment_method: 'pm_card_visa',
    }),
  },
  {
    route: 'POST /payments/refunds',
    internal: true,
    access: service(['orders']),
    body: () => ({ order_id: randomUUID() }),
  },
  { route: 'GET /payments/by-order/{order_id}', access: service([], { admin: true }) },
  { route: 'GET /payments/{id}', access: SIGNED_IN },
  { route: 'POST /payments', access: USER, body: () => ({ order_id: randomUUID() }) },
  // Signed by the provider instead: an unsigned event is a 400, whoever sends it.
  { route: 'POST /payments/webhooks/provider', access: PUBLIC, rawBody: true, body: () => ({}) },
  // Shipping
  {
    route: 'POST /shipping',
    access: service(['orders'], { admin: true }),
    body: () => ({ order_id: randomUUID(), user_id: randomUUID(), address: ADDRESS }),
  },
  {
    route: 'GET /shipping',
    access: service(['orders'], { admin: true }),
    path: () => `/shipping?order_id=${randomUUID()}`,
  },
  { route: 'GET /shipping/{id}', access: SIGNED_IN },
  { route: 'PATCH /shipping/{id}', access: ADMIN, body: () => ({ status: 'in_transit' }) },
  { route: 'POST /shipping/{id}/cancel', access: service(['orders'], { admin: true }) },
  // Notifications
  {
    route: 'POST /notify',
    internal: true,
    access: service(['orders']),
    body: () => ({
      event_id: randomUUID(),
      type: 'EmailVerification',
      to: 'matrix@example.test',
      data: { username: 'matrix', verify_url: 'http://localhost:8080/auth/verify-email?token=x' },
    }),
  },
  {
    route: 'POST /notify/batch',
    internal: true,
    access: service(['orders']),
    body: () => ({
      events: [
        {
          event_id: randomUUID(),
          type: 'EmailVerification',
          to: 'matrix@example.test',
          data: { username: 'matrix', verify_url: 'http://localhost:8080/auth/verify-email?token=x' },
        },
      ],
    }),
  },
  { route: 'GET /notifications', access: ADMIN, path: () => '/notifications?to=matrix%40example.test' },
  // The gateway's own
  { route: 'GET /docs/json', access: PUBLIC },
];

/** Routes served by the gateway itself, which /docs/json does not list. */
export const GATEWAY_ROUTES = new Set(['GET /docs/json']);

const SERVICE_OF_PREFIX: Record<string, ServiceName> = {
  auth: 'auth',
  catalog: 'catalog',
  cart: 'cart',
  orders: 'orders',
  payments: 'payments',
  shipping: 'shipping',
  notify: 'notifications',
  notifications: 'notifications',
};

/** The service that owns the route. */
export function serviceOf(route: RouteCase): ServiceName {
  const prefix = route.route.split(' ')[1]!.split('/')[1]!;
  const service = SERVICE_OF_PREFIX[prefix];
  if (!service) throw new Error(`no service owns ${route.route}`);
  return service;
}

/** Where a caller sends the route's requests: the gateway, or for an internal route its service. */
export function baseOf(shop: Shop, route: RouteCase): string {
  return route.internal ? shop.stack.urls.services[serviceOf(route)] : shop.gateway;
}

export function methodOf(route: RouteCase): string {
  return route.route.split(' ')[0]!;
}

/** The route's template with every `{param}` replaced. */
export function fillPath(route: RouteCase, value: () => string): string {
  return route.route.split(' ')[1]!.replace(/\{[^}]+\}/g, () => value());
}

export function concretePath(route: RouteCase, f: Fixtures): string {
  return route.path ? route.path(f) : fillPath(route, () => randomUUID());
}

/** The first caller allowed to use the route, preferring the least privileged. */
export function allowedCaller(route: RouteCase): Caller {
  const caller = CALLERS.find((c) => route.access[c] === 'allowed');
  if (!caller) throw new Error(`nobody may call ${route.route}`);
  return caller;
}

export async function prepareFixtures(shop: Shop): Promise<Fixtures> {
  const [customer, signer, product, editable, admin, orders, shipping] = await Promise.all([
    openAccount(shop, 'customer'),
    openAccount(shop, 'signer'),
    shop.createProduct({ stock: 1000, price: '2.50' }),
    shop.createProduct({ stock: 5 }),
    shop.adminToken(),
    serviceToken(shop, 'orders'),
    serviceToken(shop, 'shipping'),
  ]);
  return {
    shop,
    customer,
    signer,
    product,
    editable,
    tokens: { anonymous: undefined, customer: customer.token, admin, orders, shipping },
    async freshRefreshToken() {
      const res = await shop.api('POST', '/auth/login', {
        body: { username: signer.username, password: signer.password },
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.refresh_token as string;
    },
  };
}

/** Sends the route's valid request as a caller, optionally with another body or path. */
export async function send(
  f: Fixtures,
  route: RouteCase,
  caller: Caller,
  override: { path?: string; body?: unknown; raw?: string } = {},
): Promise<Reply> {
  const path = override.path ?? concretePath(route, f);
  const token = f.tokens[caller];
  const base = baseOf(f.shop, route);
  if (override.raw !== undefined) {
    return call(base, methodOf(route), path, {
      token,
      raw: override.raw,
      headers: { 'content-type': 'application/json' },
    });
  }
  const body = 'body' in override ? override.body : route.body ? await route.body(f) : undefined;
  return call(base, methodOf(route), path, { token, ...(body !== undefined ? { body } : {}) });
}

/** The class of an answer in the matrix; anything unexpected says what it was. */
export function outcomeOf(res: Reply): Outcome | string {
  if (res.status >= 500) return `${res.status} server error`;
  if (res.status === 401 || res.status === 403) {
    const problem = (res.headers.get('content-type') ?? '').startsWith('application/problem+json');
    return problem ? (res.status as 401 | 403) : `${res.status} without a problem body`;
  }
  return 'allowed';
}
