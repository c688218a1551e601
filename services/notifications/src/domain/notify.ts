// Accepting a notification: the data is checked against its event type and the event is stored in
// the delivery log once per event id. Sending happens after the answer, so a mail server being
// down never fails the caller.
import type { DeliveryWorker } from './delivery-worker.ts';
import { checkEventData, type EventType } from './notification-events.ts';

export interface NotifyInput {
  event_id: string;
  type: EventType;
  to: string;
  data: Record<string, unknown>;
}

/** Returns true when the event is new, false when it had already been accepted. */
export async function acceptNotification(worker: DeliveryWorker, input: NotifyInput): Promise<boolean> {
  checkEventData(input.type, input.data);
  return worker.accept({ event_id: input.event_id, type: input.type, recipient: input.to, data: input.data });
}
