-- The shipment outbox in the shape the kit's relay reads (packages/kit/src/outbox.ts): text event
-- ids, the pending events in sequence order, and the trace context of the request that wrote each.
ALTER TABLE shipment_outbox ALTER COLUMN event_id TYPE text;
ALTER TABLE shipment_outbox ADD COLUMN trace_context text;

DROP INDEX shipment_outbox_due_idx;
CREATE INDEX shipment_outbox_due_idx ON shipment_outbox (seq) WHERE state = 'pending';
