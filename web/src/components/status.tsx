// Order and shipment statuses in words, with a colour that matches what they mean for the buyer.
import type { OrderStatus, PaymentStatus, ShipmentStatus } from '../api/types.ts';

const ORDER: Record<OrderStatus, { label: string; tone: string }> = {
  pending: { label: 'Processing', tone: 'info' },
  paid: { label: 'Paid', tone: 'success' },
  shipped: { label: 'Shipped', tone: 'info' },
  delivered: { label: 'Delivered', tone: 'success' },
  payment_failed: { label: 'Payment failed', tone: 'error' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

const SHIPMENT: Record<ShipmentStatus, { label: string; tone: string }> = {
  label_created: { label: 'Label created', tone: 'info' },
  in_transit: { label: 'In transit', tone: 'info' },
  delivered: { label: 'Delivered', tone: 'success' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

const PAYMENT: Record<PaymentStatus, { label: string; tone: string }> = {
  pending: { label: 'Awaiting the bank', tone: 'info' },
  succeeded: { label: 'Paid', tone: 'success' },
  failed: { label: 'Declined', tone: 'error' },
  refunded: { label: 'Refunded', tone: 'neutral' },
};

const KINDS = { order: ORDER, shipment: SHIPMENT, payment: PAYMENT } as const;

export const ORDER_STATUSES = Object.keys(ORDER) as OrderStatus[];

export function orderStatusLabel(status: string): string {
  return ORDER[status as OrderStatus]?.label ?? status;
}

export function StatusBadge({ status, kind = 'order' }: { status: string; kind?: keyof typeof KINDS }) {
  const known = (KINDS[kind] as Record<string, { label: string; tone: string }>)[status];
  return <span className={`badge tone-${known?.tone ?? 'neutral'}`}>{known?.label ?? status}</span>;
}

const dateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

export function When({ at }: { at: string }) {
  return <time dateTime={at}>{dateTime.format(new Date(at))}</time>;
}
