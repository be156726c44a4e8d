-- Append-only additions to a report: the reporter's addenda, a reviewer's
-- request for a correction, and the reporter's answer. A report itself is
-- never changed after submission.
create table incident_addendum (
    addendum_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    incident_id blob not null references incident (incident_id),
    author_id blob not null references app_user (user_id),
    kind text not null check (kind in ('addendum', 'correction_request', 'correction')),
    in_reply_to blob references incident_addendum (addendum_id),
    body text not null,
    created_at integer not null
);
create index incident_addendum_by_incident on incident_addendum (incident_id, created_at);
