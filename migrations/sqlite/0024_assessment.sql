-- What reviewers have found out about an incident for its statutory duties
-- (the facts as JSON, in candour_domain::duties::Assessment's names), one
-- row per incident, versioned so no change overwrites another silently.
create table incident_assessment (
    incident_id blob primary key references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    facts text not null,
    version integer not null,
    updated_by blob not null references app_user (user_id),
    updated_at integer not null
);
