// What the domain tells the outside world: events of the kinds Stripe sends to webhook endpoints.

export type EventType = 'payment_intent.succeeded' | 'payment_intent.payment_failed' | 'charge.refunded';

/** The API request that caused an event, as Stripe records it on the event. */
export interface RequestInfo {
  id: string;
  idempotency_key: string | null;
}

export interface EventSink {
  emit(type: EventType, object: object, request: RequestInfo): void;
}
