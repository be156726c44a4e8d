-- Feedback to the reporter ("what we found and what we changed"), append-only;
-- in-app notifications; and the durable email outbox, written in the same
-- transaction as the change it tells someone about and drained over SMTP.
create table incident_feedback (
    feedback_id uuid primary key,
    incident_id uuid not null references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    author_id uuid not null references app_user (user_id),
    body text not null,
    created_at bigint not null
);
create index incident_feedback_by_incident on incident_feedback (incident_id, created_at);

create table notification (
    notification_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    user_id uuid not null references app_user (user_id),
    kind text not null check (kind in ('feedback', 'correction_request')),
    incident_id uuid not null references incident (incident_id),
    created_at bigint not null,
    read_at bigint
);
create index notification_by_user on notification (user_id, read_at, created_at);

create table email_outbox (
    email_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    to_address text not null,
    subject text not null,
    body_text text not null,
    state text not null check (state in ('queued', 'sending', 'sent', 'failed')),
    attempts bigint not null,
    next_attempt_at bigint not null,
    locked_until bigint,
    sent_at bigint,
    last_error text,
    created_at bigint not null
);
create index email_outbox_due on email_outbox (state, next_attempt_at);
