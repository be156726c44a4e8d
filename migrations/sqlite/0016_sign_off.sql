-- A manager's sign-off when an incident is closed: the note on what was
-- decided and why, and the registered manager's recommendations on how to
-- prevent it happening again, kept as a distinct part of the record.
create table incident_sign_off (
    sign_off_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    note text not null,
    recommendations text not null,
    signed_by blob not null references app_user (user_id),
    signed_at integer not null
);
create index incident_sign_off_by_incident on incident_sign_off (incident_id, signed_at);
