-- The organisation's reports newest first, for lists over many services.
-- BACKEND DIFFERENCE: on SQLite the index also holds every column a list
-- filters on, so the newest 20,000 reports are read and filtered from the
-- index alone (a few milliseconds) and only the page's rows are read from
-- the table; a rare filter falls back to each service's own index
-- (docs/BENCHMARKS.md). PostgreSQL's planner walks the narrow index.
create index incident_by_organisation on incident
    (organisation_id, reported_at, incident_id, service_id, area_id, kind, category, status, occurred_at);
