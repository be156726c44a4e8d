-- The organisation's reports newest first, for lists over many services:
-- PostgreSQL's planner walks it, filtering, when a filter (or a word) is
-- common, and uses the other indexes when it is rare (docs/BENCHMARKS.md).
create index incident_by_organisation on incident (organisation_id, reported_at, incident_id);
