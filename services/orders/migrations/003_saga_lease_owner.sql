-- The worker that drives an order's saga names itself in every write it makes, so a worker whose
-- lease has passed (paused, or slower than its lease) changes nothing once another has taken over.
ALTER TABLE orders ADD COLUMN lease_owner uuid;

-- Why an order was cancelled, for the email that says so: 'requested' by its buyer, or by the shop:
-- 'out_of_stock' (before its stock was reserved) or 'stock_lost_after_payment' (refunded).
ALTER TABLE orders ADD COLUMN cancel_reason text
  CHECK (cancel_reason IN ('requested', 'out_of_stock', 'stock_lost_after_payment'));

-- Order lines keep the product name the cart showed until the reservation fixes name and price,
-- so an order cancelled before that can still say what it held.
COMMENT ON COLUMN order_items.name IS 'the cart''s name until stock is reserved, then the reservation''s';
