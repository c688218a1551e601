-- The delivery log: one row per notification event. The unique event id makes a repeated event a
-- no-op, so each event is stored, and its email sent, once.
CREATE TABLE deliveries (
  id uuid PRIMARY KEY,
  event_id text NOT NULL,
  type text NOT NULL,
  recipient text NOT NULL,
  data jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  -- When a pending delivery is next due. A worker that takes a delivery pushes this past its
  -- send timeout (a lease), so no other worker sends it meanwhile.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  CONSTRAINT deliveries_event_id_key UNIQUE (event_id)
);

CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_recipient_idx ON deliveries (lower(recipient), created_at DESC);
