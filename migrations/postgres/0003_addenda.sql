-- Append-only additions to a report: the reporter's addenda, a reviewer's
-- request for a correction, and the reporter's answer. A report itself is
-- never changed after submission.
create table incident_addendum (
    addendum_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    incident_id uuid not null references incident (incident_id),
    author_id uuid not null references app_user (user_id),
    kind text not null check (kind in ('addendum', 'correction_request', 'correction')),
    in_reply_to uuid references incident_addendum (addendum_id),
    body text not null,
    created_at bigint not null
);
create index incident_addendum_by_incident on incident_addendum (incident_id, created_at);
