-- What reviewers have found out about an incident for its statutory duties
-- (the facts as JSON, in candour_domain::duties::Assessment's names), one
-- row per incident, versioned so no change overwrites another silently.
create table incident_assessment (
    incident_id uuid primary key references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    facts text not null,
    version bigint not null,
    updated_by uuid not null references app_user (user_id),
    updated_at bigint not null
);
