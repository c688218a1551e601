// How an order is shown: to its owner over the API and to Notifications in an event. Money
// leaves as two-decimal strings.
import { formatMoney } from '@minishop/kit/money';
import type { HistoryRow, OrderRow } from '../data/orders.repository.ts';

export function itemsView(order: OrderRow) {
  return order.items.map((i) => ({
    product_id: i.product_id,
    name: i.name ?? '',
    unit_price: formatMoney(i.unit_price_cents ?? 0),
    quantity: i.quantity,
    line_total: formatMoney((i.unit_price_cents ?? 0) * i.quantity),
  }));
}

/** The order as its reader may see it; only admins see why an order needs attention. */
export function orderView(order: OrderRow, options: { history?: HistoryRow[]; admin?: boolean } = {}) {
  const { history, admin = false } = options;
  return {
    id: order.id,
    user_id: order.user_id,
    items: itemsView(order),
    total_price: formatMoney(order.total_cents),
    currency: order.currency as 'USD',
    status: order.status,
    payment_id: order.payment_id,
    shipment_id: order.shipment_id,
    shipping_address: order.shipping_address,
    ...(admin ? { attention: order.attention } : {}),
    created_at: order.created_at.toISOString(),
    updated_at: order.updated_at.toISOString(),
    ...(history
      ? {
          history: history.map((h) => ({
            status: h.status,
            reason: h.reason,
            at: h.created_at.toISOString(),
          })),
        }
      : {}),
  };
}

export type OrderView = ReturnType<typeof orderView>;

/** The data of an order email: what was bought, for how much, and where it goes. */
export function eventData(order: OrderRow, extra: Record<string, unknown> = {}) {
  return {
    order_id: order.id,
    status: order.status,
    items: itemsView(order),
    total_price: formatMoney(order.total_cents),
    currency: order.currency,
    shipping_address: order.shipping_address,
    ...(order.tracking_number ? { tracking_number: order.tracking_number, carrier: order.carrier } : {}),
    ...extra,
  };
}
