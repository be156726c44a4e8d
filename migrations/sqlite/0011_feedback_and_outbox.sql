-- Feedback to the reporter ("what we found and what we changed"), append-only;
-- in-app notifications; and the durable email outbox, written in the same
-- transaction as the change it tells someone about and drained over SMTP.
create table incident_feedback (
    feedback_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    author_id blob not null references app_user (user_id),
    body text not null,
    created_at integer not null
);
create index incident_feedback_by_incident on incident_feedback (incident_id, created_at);

create table notification (
    notification_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    kind text not null check (kind in ('feedback', 'correction_request')),
    incident_id blob not null references incident (incident_id),
    created_at integer not null,
    read_at integer
);
create index notification_by_user on notification (user_id, read_at, created_at);

create table email_outbox (
    email_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    to_address text not null,
    subject text not null,
    body_text text not null,
    state text not null check (state in ('queued', 'sending', 'sent', 'failed')),
    attempts integer not null,
    next_attempt_at integer not null,
    locked_until integer,
    sent_at integer,
    last_error text,
    created_at integer not null
);
create index email_outbox_due on email_outbox (state, next_attempt_at);
