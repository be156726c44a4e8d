-- A manager's own decision on a statutory duty: confirming Candour's, or
-- overriding it with a written rationale. Every decision is kept; the
-- latest for a duty is the one in force.
create table duty_decision (
    decision_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    duty text not null,
    verdict text not null check (verdict in ('required', 'not_required')),
    engine_verdict text not null check (engine_verdict in ('required', 'not_required', 'needs_information')),
    rationale text not null,
    decided_by blob not null references app_user (user_id),
    decided_at integer not null
);
create index duty_decision_by_incident on duty_decision (incident_id, duty, decided_at);
