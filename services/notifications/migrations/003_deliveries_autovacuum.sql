-- Every delivery is updated twice (taken, then sent), so the table collects dead rows quickly and
-- the claim's index scan over `deliveries_due_idx` walks the dead entries its own updates left
-- (about 200 per claim at the default thresholds). Vacuuming after 1% of the table (at least 200
-- rows) changed keeps that walk short.
ALTER TABLE deliveries SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 200);
