// The services the checkout saga calls, behind small typed functions. Each call carries the
// service token and the request id; 5xx, timeouts and an open circuit surface as
// UpstreamUnavailable, which the saga answers by trying the step again later.
import { createServiceClient, serviceToken, type ServiceClient } from '@minishop/kit/service-client';
import type { Config } from '../config.ts';
import type { ShippingAddress } from '../data/orders.repository.ts';

export interface CartLine {
  product_id: string;
  quantity: number;
}

/** A cart line as read at checkout: the name is what the buyer saw, shown until stock is reserved. */
export interface CartItem extends CartLine {
  name: string | null;
}

export interface ReservedItem {
  product_id: string;
  name: string;
  unit_price: string;
  quantity: number;
}

export type ReserveResult =
  | { ok: true; items: ReservedItem[] }
  | { ok: false; short: { product_id: string; requested: number; available: number }[] };

export interface Payment {
  id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'refunded';
  failure_code?: string | null;
  failure_message?: string | null;
}

export interface Shipment {
  id: string;
  tracking_number: string;
  carrier: string;
  status: string;
}

export interface Notification {
  event_id: string;
  type: string;
  to: string;
  data: Record<string, unknown>;
  /** The trace the email joins (the request that wrote the event); the call's when absent. */
  traceparent?: string;
}

/** A reply the saga did not expect (a contract problem, not a passing fault). */
export class UnexpectedReply extends Error {
  readonly status: number;
  constructor(upstream: string, status: number, body: unknown) {
    super(`${upstream} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
    this.status = status;
  }
}

/**
 * The saga's calls take the `performance.now()` instant by which they must be over: the end of
 * the worker's lease on the order (nothing is sent after it).
 */
export interface Upstreams {
  readCart(userId: string): Promise<CartItem[]>;
  clearCart(userId: string, deadline?: number): Promise<void>;
  reserve(orderId: string, lines: CartLine[], deadline?: number): Promise<ReserveResult>;
  commit(orderId: string, deadline?: number): Promise<'committed' | 'gone'>;
  release(orderId: string, deadline?: number): Promise<void>;
  charge(
    request: {
      order_id: string;
      user_id: string;
      attempt: number;
      amount: string;
      currency: string;
      payment_method: string;
    },
    deadline?: number,
  ): Promise<Payment>;
  refund(orderId: string, deadline?: number): Promise<void>;
  createShipment(
    request: { order_id: string; user_id: string; address: ShippingAddress },
    deadline?: number,
  ): Promise<Shipment>;
  /** 'shipped' when the parcel is already on its way and can no longer be stopped. */
  cancelShipment(shipmentId: string, deadline?: number): Promise<'cancelled' | 'shipped'>;
  notify(notification: Notification): Promise<void>;
  /** Several notifications in one request; Notifications stores them all or, refusing one, none. */
  notifyBatch(notifications: Notification[]): Promise<void>;
}

function expect2xx<T>(upstream: string, res: { status: number; body: unknown }): T {
  if (res.status >= 200 && res.status < 300) return res.body as T;
  throw new UnexpectedReply(upstream, res.status, res.body);
}

/** A POST the upstream dedupes (so it may be retried) that must succeed; the body of its answer. */
async function postRepeatable<T>(
  client: ServiceClient,
  path: string,
  body: unknown,
  deadline?: number,
): Promise<T> {
  const res = await client.request<T>({ method: 'POST', path, body, idempotent: true, deadline });
  return expect2xx<T>(client.name, res);
}

export function createUpstreams(config: Config): Upstreams {
  const token = serviceToken({
    authUrl: config.AUTH_URL,
    clientId: config.SERVICE_CLIENT_ID,
    clientSecret: config.SERVICE_CLIENT_SECRET,
  });
  const client = (name: string, baseUrl: string, timeoutMs = config.UPSTREAM_TIMEOUT_MS): ServiceClient =>
    createServiceClient({ name, baseUrl, timeoutMs, token: token.get, onTokenRejected: token.invalidate });
  const notifications = client('notifications', config.NOTIFICATIONS_URL);
  return {
    ...cartCalls(client('cart', config.CART_URL)),
    ...catalogCalls(client('catalog', config.CATALOG_URL)),
    ...paymentCalls(client('payments', config.PAYMENTS_URL, config.PAYMENT_TIMEOUT_MS)),
    ...shippingCalls(client('shipping', config.SHIPPING_URL)),
    async notify(notification) {
      await postRepeatable(notifications, '/notify', notification);
    },
    async notifyBatch(events) {
      await postRepeatable(notifications, '/notify/batch', { events });
    },
  };
}

function cartCalls(cart: ServiceClient): Pick<Upstreams, 'readCart' | 'clearCart'> {
  return {
    async readCart(userId) {
      const res = await cart.request<{ items: CartItem[] }>({
        method: 'GET',
        path: `/cart/internal/${userId}`,
      });
      return expect2xx<{ items: CartItem[] }>('cart', res).items.map((i) => ({
        product_id: i.product_id,
        name: i.name || null,
        quantity: i.quantity,
      }));
    },
    async clearCart(userId, deadline) {
      expect2xx('cart', await cart.request({ method: 'DELETE', path: `/cart/internal/${userId}`, deadline }));
    },
  };
}

function catalogCalls(catalog: ServiceClient): Pick<Upstreams, 'reserve' | 'commit' | 'release'> {
  // Committing and releasing are keyed by the order id, so both may be repeated.
  const settle = (orderId: string, step: 'commit' | 'release', deadline: number | undefined) =>
    catalog.request({
      method: 'POST',
      path: `/catalog/reservations/${orderId}/${step}`,
      idempotent: true,
      deadline,
    });
  return {
    async reserve(orderId, lines, deadline) {
      const res = await catalog.request<{ items: ReservedItem[]; short?: [] }>({
        method: 'POST',
        path: '/catalog/reservations',
        body: { order_id: orderId, items: lines },
        idempotent: true, // keyed by the order id
        deadline,
      });
      if (res.status === 409 && Array.isArray(res.body.short)) return { ok: false, short: res.body.short };
      return { ok: true, items: expect2xx<{ items: ReservedItem[] }>('catalog', res).items };
    },
    async commit(orderId, deadline) {
      const res = await settle(orderId, 'commit', deadline);
      if (res.status === 409 || res.status === 404) return 'gone';
      expect2xx('catalog', res);
      return 'committed';
    },
    async release(orderId, deadline) {
      const res = await settle(orderId, 'release', deadline);
      // No reservation left to release (never made, or expired) is the outcome we want.
      if (res.status === 404) return;
      expect2xx('catalog', res);
    },
  };
}

function paymentCalls(payments: ServiceClient): Pick<Upstreams, 'charge' | 'refund'> {
  return {
    // Keyed by order id and attempt.
    charge: (request, deadline) => postRepeatable<Payment>(payments, '/payments/charges', request, deadline),
    async refund(orderId, deadline) {
      await postRepeatable(payments, '/payments/refunds', { order_id: orderId }, deadline);
    },
  };
}

function shippingCalls(shipping: ServiceClient): Pick<Upstreams, 'createShipment' | 'cancelShipment'> {
  return {
    // One shipment per order.
    createShipment: (request, deadline) => postRepeatable<Shipment>(shipping, '/shipping', request, deadline),
    async cancelShipment(shipmentId, deadline) {
      const res = await shipping.request({
        method: 'POST',
        path: `/shipping/${shipmentId}/cancel`,
        idempotent: true,
        deadline,
      });
      if (res.status === 409) return 'shipped';
      if (res.status !== 404) expect2xx('shipping', res);
      return 'cancelled';
    },
  };
}
