-- An order the shop cancels (an admin, not its buyer) says so: 'by_shop' joins the reasons, so its
-- email no longer tells the buyer they asked for it. 003 left the constraint its default name.
ALTER TABLE orders DROP CONSTRAINT orders_cancel_reason_check;
ALTER TABLE orders ADD CONSTRAINT orders_cancel_reason_check
  CHECK (cancel_reason IN ('requested', 'by_shop', 'out_of_stock', 'stock_lost_after_payment'));
