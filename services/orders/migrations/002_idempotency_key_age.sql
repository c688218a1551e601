-- Idempotency keys are forgotten after a day; this index keeps that cleanup cheap.
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
