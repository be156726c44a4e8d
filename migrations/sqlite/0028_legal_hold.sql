-- A legal hold (an inquest, a claim, a safeguarding adults review, a
-- public inquiry) stops an incident's record being destroyed whatever its
-- retention period, until it is released. One row per held incident.
create table legal_hold (
    incident_id blob primary key references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    reason text not null,
    placed_by text not null,
    placed_at integer not null
);
