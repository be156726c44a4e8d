-- Full-text search over what reporters wrote, to find similar reports.
-- BACKEND DIFFERENCE: PostgreSQL indexes the English text search vector of
-- the report's words (SQLite keeps an FTS5 table instead).
create index incident_search on incident using gin (to_tsvector('english', description || ' ' || immediate_actions));
