-- One row per payment attempt of an order. The provider idempotency key is fixed when the row is
-- created and reused for every call about that attempt, so retries can never charge twice.
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  user_id uuid NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  currency text NOT NULL,
  payment_method text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
  provider_ref text,
  idempotency_key text NOT NULL,
  failure_code text,
  failure_message text,
  refund_ref text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payments_order_attempt_key UNIQUE (order_id, attempt),
  CONSTRAINT payments_idempotency_key_key UNIQUE (idempotency_key)
);

CREATE UNIQUE INDEX payments_provider_ref_key ON payments (provider_ref) WHERE provider_ref IS NOT NULL;
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);

-- Provider webhook events already applied; a redelivered event id is acknowledged and skipped.
CREATE TABLE processed_events (
  event_id text PRIMARY KEY,
  type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
