-- Timescale breaches, recorded with the moment the deadline passed, the
-- reason the handler gives, and who was told at each level of escalation
-- (each level once); schedule slots, so that with several instances each
-- scheduled run happens once; and two more reasons to notify someone.
create table timescale_breach (
    breach_id uuid primary key,
    incident_id uuid not null references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    target text not null check (target in ('triage', 'review')),
    due_at bigint not null,
    recorded_at bigint not null,
    reason text,
    reason_by uuid references app_user (user_id),
    reason_at bigint,
    unique (incident_id, target, due_at)
);
create index timescale_breach_by_organisation on timescale_breach (organisation_id, due_at);

create table breach_escalation (
    breach_id uuid not null references timescale_breach (breach_id),
    level text not null check (level in ('registered_manager', 'regional_manager', 'head_of_operations')),
    user_id uuid not null references app_user (user_id),
    notified_at bigint not null,
    primary key (breach_id, level, user_id)
);

create table schedule_run (
    schedule text not null,
    slot text not null,
    claimed_at bigint not null,
    primary key (schedule, slot)
);

alter table notification drop constraint notification_kind_check;
alter table notification add constraint notification_kind_check check (kind in ('feedback', 'correction_request', 'breach', 'urgent'));
