-- The trace context of the request that posted each event, so its email joins that trace.
ALTER TABLE deliveries ADD COLUMN trace_context text;
