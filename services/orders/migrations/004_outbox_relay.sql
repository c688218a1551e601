-- The outbox in the shape the kit's relay reads (packages/kit/src/outbox.ts): a sequence that keeps
-- the events of one order in the order they were written, an explicit state instead of reading it
-- from the timestamps, and the trace context of the request that wrote each event.
ALTER TABLE outbox ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE outbox ADD COLUMN state text NOT NULL DEFAULT 'pending'
  CHECK (state IN ('pending', 'delivered', 'rejected'));
ALTER TABLE outbox ADD COLUMN trace_context text;

UPDATE outbox SET state = 'delivered' WHERE delivered_at IS NOT NULL;
-- The relay before this one set a refused event aside by never making it due again.
UPDATE outbox SET state = 'rejected' WHERE delivered_at IS NULL AND next_attempt_at = 'infinity';

DROP INDEX outbox_pending_idx;
CREATE INDEX outbox_due_idx ON outbox (seq) WHERE state = 'pending';
CREATE INDEX outbox_order_idx ON outbox (order_id, seq) WHERE state = 'pending';
