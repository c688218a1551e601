// Accepting notifications: the data is checked against its event type and the events are stored
// in the delivery log once per event id. Sending happens after the answer, so a mail server being
// down never fails the caller.
import type { DeliveryWorker } from './delivery-worker.ts';
import { checkEventData, type EventType } from './notification-events.ts';

export interface NotifyInput {
  event_id: string;
  type: EventType;
  to: string;
  data: Record<string, unknown>;
  /** W3C traceparent of the trace the email joins (a batch's events each have their own). */
  traceparent?: string;
}

/**
 * Returns, for each event, true when it is new and false when it had already been accepted. Every
 * event is checked before any is stored, so a batch with a bad event stores nothing.
 */
export async function acceptNotifications(
  worker: DeliveryWorker,
  inputs: NotifyInput[],
  /** Where the data of the i-th event is in the request. */
  fieldOf: (i: number) => string = () => 'body.data',
): Promise<boolean[]> {
  inputs.forEach((input, i) => checkEventData(input.type, input.data, fieldOf(i)));
  return worker.accept(
    inputs.map((input) => ({
      event_id: input.event_id,
      type: input.type,
      recipient: input.to,
      data: input.data,
      trace_context: input.traceparent,
    })),
  );
}
