-- Timescale breaches, recorded with the moment the deadline passed, the
-- reason the handler gives, and who was told at each level of escalation
-- (each level once); schedule slots, so that with several instances each
-- scheduled run happens once; and two more reasons to notify someone.
create table timescale_breach (
    breach_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    target text not null check (target in ('triage', 'review')),
    due_at integer not null,
    recorded_at integer not null,
    reason text,
    reason_by blob references app_user (user_id),
    reason_at integer,
    unique (incident_id, target, due_at)
);
create index timescale_breach_by_organisation on timescale_breach (organisation_id, due_at);

create table breach_escalation (
    breach_id blob not null references timescale_breach (breach_id),
    level text not null check (level in ('registered_manager', 'regional_manager', 'head_of_operations')),
    user_id blob not null references app_user (user_id),
    notified_at integer not null,
    primary key (breach_id, level, user_id)
);

create table schedule_run (
    schedule text not null,
    slot text not null,
    claimed_at integer not null,
    primary key (schedule, slot)
);

-- BACKEND DIFFERENCE: SQLite cannot widen a check in place; nothing refers
-- to notification, so it is simply rebuilt.
create table notification_rebuilt (
    notification_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    kind text not null check (kind in ('feedback', 'correction_request', 'breach', 'urgent')),
    incident_id blob not null references incident (incident_id),
    created_at integer not null,
    read_at integer
);
insert into notification_rebuilt select notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at from notification;
drop table notification;
alter table notification_rebuilt rename to notification;
create index notification_by_user on notification (user_id, read_at, created_at);
