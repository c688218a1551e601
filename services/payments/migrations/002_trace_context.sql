-- The trace context of the charge request that made each attempt, so the provider's webhook about
-- the payment can link to the checkout it concerns.
ALTER TABLE payments ADD COLUMN trace_context text;
