-- Full-text search over what reporters wrote, to find similar reports.
-- BACKEND DIFFERENCE: SQLite keeps an FTS5 index (Porter stemming) filled
-- by a trigger as reports arrive (a report's text never changes); a
-- migration that rebuilds `incident` must recreate the trigger.
create virtual table incident_search using fts5(
    body,
    incident_id unindexed,
    organisation_id unindexed,
    tokenize = 'porter unicode61'
);
insert into incident_search (body, incident_id, organisation_id)
    select description || ' ' || immediate_actions, incident_id, organisation_id from incident;
create trigger incident_search_on_report after insert on incident
begin
    insert into incident_search (body, incident_id, organisation_id)
        values (new.description || ' ' || new.immediate_actions, new.incident_id, new.organisation_id);
end;
