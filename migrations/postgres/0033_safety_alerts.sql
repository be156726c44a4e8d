-- The register of external guidance and safety alerts (issue 6, domain.md
-- §11). One row per alert, each step recorded on it with who and when (each
-- step is also in the audit trail); actions with owners and due dates; and
-- the escalations sent for an overdue alert, once per level and person.
create table safety_alert (
    alert_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    reference text not null,
    title text not null,
    kind text not null check (kind in ('natpsa', 'mhra_device', 'mhra_drug', 'nice', 'cqc', 'lgsco', 'estates', 'other')),
    issued_on text not null,
    received_on text not null,
    deadline text,
    summary text not null,
    logged_by uuid not null references app_user (user_id),
    logged_at bigint not null,
    acknowledged_by uuid references app_user (user_id),
    acknowledged_at bigint,
    relevant text check (relevant in ('yes', 'no')),
    rationale text,
    owner_id uuid references app_user (user_id),
    decided_by uuid references app_user (user_id),
    decided_at bigint,
    staff_told text,
    staff_told_on text,
    evidence text,
    completed_by uuid references app_user (user_id),
    completed_at bigint,
    signed_off_by uuid references app_user (user_id),
    signed_off_at bigint,
    sign_off_note text,
    version bigint not null,
    updated_by uuid not null references app_user (user_id),
    updated_at bigint not null,
    unique (organisation_id, reference)
);

create table safety_alert_action (
    action_id uuid primary key,
    alert_id uuid not null references safety_alert (alert_id),
    title text not null,
    owner_id uuid not null references app_user (user_id),
    due_on text not null,
    added_by uuid not null references app_user (user_id),
    added_at bigint not null,
    done_by uuid references app_user (user_id),
    done_at bigint
);
create index safety_alert_action_by_alert on safety_alert_action (alert_id, due_on);

create table safety_alert_escalation (
    alert_id uuid not null references safety_alert (alert_id),
    level integer not null,
    user_id uuid not null references app_user (user_id),
    sent_at bigint not null,
    primary key (alert_id, level, user_id)
);
