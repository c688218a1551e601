-- Products and the stock reservations Orders takes during checkout.
-- `stock` is what can still be sold: units held by a reservation are already subtracted.

CREATE TABLE products (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
  description text NOT NULL DEFAULT '',
  price_cents bigint NOT NULL CHECK (price_cents >= 0),
  currency text NOT NULL DEFAULT 'USD' CHECK (currency = 'USD'),
  stock integer NOT NULL CHECK (stock >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Deleted products are hidden from reads but kept so reservations and order history stay valid.
  deleted_at timestamptz
);

CREATE INDEX products_live_created_idx ON products (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX products_live_name_idx ON products (lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX products_live_price_idx ON products (price_cents, id) WHERE deleted_at IS NULL;

CREATE TABLE reservations (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('reserved', 'committed', 'released', 'expired')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The sweeper only looks at reservations still holding stock.
CREATE INDEX reservations_due_idx ON reservations (expires_at) WHERE status = 'reserved';

CREATE TABLE reservation_items (
  order_id uuid NOT NULL REFERENCES reservations (order_id) ON DELETE CASCADE,
  product_id uuid NOT NULL REFERENCES products (id),
  -- Name and price as they were when reserved: the price snapshot Orders charges.
  name text NOT NULL,
  unit_price_cents bigint NOT NULL CHECK (unit_price_cents >= 0),
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);

CREATE INDEX reservation_items_product_idx ON reservation_items (product_id);
