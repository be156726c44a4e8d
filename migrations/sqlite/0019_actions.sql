-- Actions that change practice: SMART actions with an owner and a due date,
-- linked to incidents or standing in a service's improvement plan, tagged
-- with the CQC 2018 themes, completed with evidence and checked for
-- effectiveness; who was told when one is overdue; and notifications about
-- an action rather than an incident.
create table improvement_action (
    action_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    reference_number integer not null,
    title text not null,
    description text not null,
    owner_id blob not null references app_user (user_id),
    due_on text not null check (length(due_on) = 10),
    status text not null check (status in ('open', 'in_progress', 'done', 'cancelled')),
    in_plan integer not null,
    themes text not null,
    evidence text,
    completed_at integer,
    effectiveness text check (effectiveness in ('worked', 'partly', 'did_not_work')),
    effectiveness_note text,
    effectiveness_checked_at integer,
    version integer not null,
    created_by blob not null references app_user (user_id),
    created_at integer not null,
    updated_at integer not null,
    unique (organisation_id, reference_number)
);
create index improvement_action_by_service on improvement_action (service_id, status, due_on);

create table action_incident (
    action_id blob not null references improvement_action (action_id),
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    primary key (action_id, incident_id)
);
create index action_incident_by_incident on action_incident (incident_id);

create table action_escalation (
    action_id blob not null references improvement_action (action_id),
    due_on text not null,
    level text not null check (level in ('registered_manager', 'regional_manager', 'head_of_operations')),
    user_id blob not null references app_user (user_id),
    notified_at integer not null,
    primary key (action_id, due_on, level, user_id)
);

-- BACKEND DIFFERENCE: SQLite cannot change these columns in place; nothing
-- refers to notification, so it is rebuilt.
create table notification_rebuilt (
    notification_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    kind text not null check (kind in ('feedback', 'correction_request', 'breach', 'urgent', 'action_overdue', 'action_assigned')),
    incident_id blob references incident (incident_id),
    created_at integer not null,
    read_at integer,
    action_id blob references improvement_action (action_id)
);
insert into notification_rebuilt (notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at)
select notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at from notification;
drop table notification;
alter table notification_rebuilt rename to notification;
create index notification_by_user on notification (user_id, read_at, created_at);
