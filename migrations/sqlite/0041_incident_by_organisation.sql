-- The organisation's reports newest first, for lists over many services:
-- the newest 2,000 are read first and filtered, and only a rare filter
-- falls back to reading each service's own index (docs/BENCHMARKS.md).
create index incident_by_organisation on incident (organisation_id, reported_at, incident_id);
