// Accepting a notification: the data is checked against its event type and the event is stored in
// the delivery log once per event id. Sending happens later, so a mail server being down never
// fails the caller.
import type { Pool } from '@minishop/kit/db';
import { insertDelivery } from '../data/deliveries.repository.ts';
import { checkEventData, type EventType } from './notification-events.ts';

export interface NotifyInput {
  event_id: string;
  type: EventType;
  to: string;
  data: Record<string, unknown>;
}

/** Returns true when the event is new, false when it had already been accepted. */
export async function acceptNotification(pool: Pool, input: NotifyInput): Promise<boolean> {
  checkEventData(input.type, input.data);
  return insertDelivery(pool, {
    event_id: input.event_id,
    type: input.type,
    recipient: input.to,
    data: input.data,
  });
}
