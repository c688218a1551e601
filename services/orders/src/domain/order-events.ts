// The events Orders announces to the buyer through its outbox, written in the same transaction as
// the change they describe, under an id that makes each one unique per order (and attempt).
import type { Queryable } from '@minishop/kit/db';
import type { OrderRow } from '../data/orders.repository.ts';
import { enqueue, type NewEvent } from '../data/outbox.repository.ts';
import { eventData } from './order-view.ts';

export type EventType =
  'OrderPlaced' | 'PaymentConfirmed' | 'PaymentFailed' | 'OrderCancelled' | 'Shipped' | 'Delivered';

export interface OrderEvent {
  type: EventType;
  extra?: Record<string, unknown>;
}

/** Events that can happen once per payment attempt carry the attempt in their id. */
const PER_ATTEMPT: ReadonlySet<EventType> = new Set(['PaymentConfirmed', 'PaymentFailed', 'OrderCancelled']);

/** The outbox row of an event about `order` as it stands after the change the event announces. */
export function eventRow(order: OrderRow, event: OrderEvent): NewEvent {
  const suffix = PER_ATTEMPT.has(event.type) ? `:${order.attempt}` : '';
  return {
    event_id: `${order.id}:${event.type}${suffix}`,
    order_id: order.id,
    type: event.type,
    recipient: order.email,
    payload: eventData(order, event.extra),
  };
}

export async function announce(tx: Queryable, order: OrderRow, event: OrderEvent): Promise<void> {
  await enqueue(tx, eventRow(order, event));
}
