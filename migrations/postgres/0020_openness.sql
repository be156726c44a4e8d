-- Openness with the person and their family: each time they were told (or
-- why not yet), how, what, any apology, and their questions or wishes.
create table openness_record (
    record_id uuid primary key,
    incident_id uuid not null references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    told boolean not null,
    who text not null,
    told_at bigint,
    how text check (how in ('in_person', 'phone', 'video', 'writing')),
    what text not null,
    apology boolean not null,
    questions text not null,
    recorded_by uuid not null references app_user (user_id),
    recorded_at bigint not null
);
create index openness_record_by_incident on openness_record (incident_id, recorded_at);
