// Server state: one hook per thing the pages read, each with its own cache key, and the keys
// that writes invalidate. Orders and shipments poll while they are still moving.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, ok, page } from './client.ts';
import type { Order, ProductSort, Shipment } from './types.ts';

export const PAGE_SIZE = 12;

export const keys = {
  products: ['products'] as const,
  product: (id: string) => ['products', id] as const,
  cart: ['cart'] as const,
  orders: ['orders'] as const,
  order: (id: string) => ['orders', id] as const,
  shipment: (id: string) => ['shipments', id] as const,
  payment: (id: string) => ['payments', id] as const,
  me: ['me'] as const,
};

export interface ProductQuery {
  q: string;
  sort: ProductSort;
  page: number;
  pageSize?: number;
  /** Skip the shared caches (staff want what they just wrote, not a second-old copy). */
  fresh?: boolean;
}

const FRESH = { 'cache-control': 'no-cache' };

export function useProducts({
  q,
  sort,
  page: pageNumber,
  pageSize = PAGE_SIZE,
  fresh = false,
}: ProductQuery) {
  return useQuery({
    queryKey: [...keys.products, { q, sort, pageNumber, pageSize, fresh }],
    queryFn: ({ signal }) =>
      page(
        api.GET('/catalog/products', {
          params: {
            query: { q: q || undefined, sort, limit: pageSize, offset: (pageNumber - 1) * pageSize },
          },
          headers: fresh ? FRESH : {},
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useProduct(id: string, fresh = false) {
  return useQuery({
    queryKey: [...keys.product(id), { fresh }],
    enabled: id !== '',
    queryFn: ({ signal }) =>
      ok(
        api.GET('/catalog/products/{id}', { params: { path: { id } }, headers: fresh ? FRESH : {}, signal }),
      ),
  });
}

export function useCart(enabled = true) {
  return useQuery({
    queryKey: keys.cart,
    queryFn: ({ signal }) => ok(api.GET('/cart', { signal })),
    enabled,
  });
}

/** What an admin may narrow the orders to; a customer only ever gets their own. */
export interface OrderFilter {
  status?: Order['status'];
  /** Only the orders that need a person to look at them. */
  attention?: boolean;
}

export function useOrders(pageNumber: number, pageSize = PAGE_SIZE, filter: OrderFilter = {}) {
  const { status, attention } = filter;
  return useQuery({
    queryKey: [...keys.orders, { pageNumber, pageSize, status, attention }],
    queryFn: ({ signal }) =>
      page(
        api.GET('/orders', {
          params: {
            query: { limit: pageSize, offset: (pageNumber - 1) * pageSize, status, attention },
          },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

const SETTLED: Order['status'][] = ['delivered', 'cancelled', 'payment_failed'];
const POLL_MS = 2_000;

/**
 * An order, fetched again every two seconds until it reaches a status that no longer moves, or
 * also while it is in `awaitLeaving` (a page that knows the order is about to move again).
 */
export function useOrder(id: string, awaitLeaving?: Order['status']) {
  return useQuery({
    queryKey: keys.order(id),
    queryFn: ({ signal }) => ok(api.GET('/orders/{id}', { params: { path: { id } }, signal })),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status && SETTLED.includes(status) && status !== awaitLeaving ? false : POLL_MS;
    },
  });
}

export function useShipment(id: string | null | undefined, orderStatus?: Order['status']) {
  return useQuery({
    queryKey: keys.shipment(id ?? ''),
    queryFn: ({ signal }) => ok(api.GET('/shipping/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: Boolean(id),
    refetchInterval: (query) => (shipmentMoving(query.state.data, orderStatus) ? POLL_MS : false),
  });
}

function shipmentMoving(shipment: Shipment | undefined, orderStatus?: Order['status']): boolean {
  if (orderStatus === 'cancelled') return false;
  return shipment?.status !== 'delivered';
}

/**
 * An order's payment, read again whenever the order's status changes (a cancelled paid order's
 * payment is refunded before the order says cancelled).
 */
export function usePayment(id: string | null | undefined, orderStatus: Order['status']) {
  return useQuery({
    queryKey: [...keys.payment(id ?? ''), { orderStatus }],
    queryFn: ({ signal }) => ok(api.GET('/payments/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: Boolean(id),
    placeholderData: keepPreviousData,
  });
}

export function useMe(enabled = true) {
  return useQuery({
    queryKey: keys.me,
    queryFn: ({ signal }) => ok(api.GET('/auth/me', { signal })),
    enabled,
  });
}
