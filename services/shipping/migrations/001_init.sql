-- Shipments (one per order) and the outbox of status changes that are reported to Orders.
CREATE TABLE shipments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  user_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('label_created', 'in_transit', 'delivered', 'cancelled')),
  tracking_number text NOT NULL,
  carrier text NOT NULL,
  address jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shipments_order_id_key UNIQUE (order_id),
  CONSTRAINT shipments_tracking_number_key UNIQUE (tracking_number)
);

CREATE INDEX shipments_user_id_idx ON shipments (user_id);

-- seq orders the events of one shipment: a later event is only sent after the earlier one.
CREATE TABLE shipment_outbox (
  event_id uuid PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  shipment_id uuid NOT NULL REFERENCES shipments (id),
  order_id uuid NOT NULL,
  status text NOT NULL CHECK (status IN ('in_transit', 'delivered')),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);

CREATE INDEX shipment_outbox_due_idx ON shipment_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX shipment_outbox_shipment_idx ON shipment_outbox (shipment_id, seq) WHERE state = 'pending';
