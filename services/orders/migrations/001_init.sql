-- Orders, their items and status history, the checkout saga's stored progress, the outbox of
-- events for Notifications, and the idempotency keys of POST /orders.

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  email text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'payment_failed', 'cancelled')),
  total_cents bigint NOT NULL CHECK (total_cents >= 0),
  currency text NOT NULL DEFAULT 'USD',
  shipping_address jsonb NOT NULL,
  payment_method text NOT NULL,
  -- Payment attempt number: each retry of a failed payment is a new attempt with its own provider key.
  attempt integer NOT NULL DEFAULT 1,
  payment_id uuid,
  shipment_id uuid,
  tracking_number text,
  carrier text,
  -- Where the saga stands; 'done' when nothing is left to do.
  saga_step text NOT NULL CHECK (saga_step IN ('reserving', 'charging', 'committing', 'shipping', 'clearing', 'releasing', 'refunding', 'done')),
  -- Set while one worker drives the saga; another may take over once it has passed.
  lease_until timestamptz,
  saga_attempts integer NOT NULL DEFAULT 0,
  next_try_at timestamptz NOT NULL DEFAULT now(),
  -- Why an admin must look at this order (e.g. paid but no shipment could be created).
  attention text,
  -- The provider's reason for the last declined payment, shown in the PaymentFailed email.
  payment_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_unfinished_idx ON orders (next_try_at) WHERE saga_step <> 'done';

CREATE TABLE order_items (
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id uuid NOT NULL,
  name text,
  -- Filled from Catalog's reservation (the price snapshot); null until stock is reserved.
  unit_price_cents bigint CHECK (unit_price_cents >= 0),
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);

CREATE TABLE order_status_history (
  id bigserial PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  status text NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id);

-- Idempotency-Key of POST /orders, per user. The order id is chosen when the key is claimed so
-- that a retry after a crash continues the same order instead of starting another.
CREATE TABLE idempotency_keys (
  user_id uuid NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  order_id uuid NOT NULL,
  -- Set when the request ended without an order (e.g. out of stock): replays get the same answer.
  response_status integer,
  response_body jsonb,
  locked_until timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

CREATE TABLE outbox (
  event_id text PRIMARY KEY,
  order_id uuid NOT NULL,
  type text NOT NULL,
  recipient text NOT NULL,
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- Shipment status events from Shipping already applied (deduplication by event id).
CREATE TABLE processed_shipment_events (
  event_id text PRIMARY KEY,
  order_id uuid NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now()
);
