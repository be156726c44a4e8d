-- Actions that change practice: SMART actions with an owner and a due date,
-- linked to incidents or standing in a service's improvement plan, tagged
-- with the CQC 2018 themes, completed with evidence and checked for
-- effectiveness; who was told when one is overdue; and notifications about
-- an action rather than an incident.
create table improvement_action (
    action_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    reference_number bigint not null,
    title text not null,
    description text not null,
    owner_id uuid not null references app_user (user_id),
    due_on text not null check (length(due_on) = 10),
    status text not null check (status in ('open', 'in_progress', 'done', 'cancelled')),
    in_plan boolean not null,
    themes text not null,
    evidence text,
    completed_at bigint,
    effectiveness text check (effectiveness in ('worked', 'partly', 'did_not_work')),
    effectiveness_note text,
    effectiveness_checked_at bigint,
    version bigint not null,
    created_by uuid not null references app_user (user_id),
    created_at bigint not null,
    updated_at bigint not null,
    unique (organisation_id, reference_number)
);
create index improvement_action_by_service on improvement_action (service_id, status, due_on);

create table action_incident (
    action_id uuid not null references improvement_action (action_id),
    incident_id uuid not null references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    primary key (action_id, incident_id)
);
create index action_incident_by_incident on action_incident (incident_id);

create table action_escalation (
    action_id uuid not null references improvement_action (action_id),
    due_on text not null,
    level text not null check (level in ('registered_manager', 'regional_manager', 'head_of_operations')),
    user_id uuid not null references app_user (user_id),
    notified_at bigint not null,
    primary key (action_id, due_on, level, user_id)
);

alter table notification alter column incident_id drop not null;
alter table notification add column action_id uuid references improvement_action (action_id);
alter table notification drop constraint notification_kind_check;
alter table notification add constraint notification_kind_check check (kind in ('feedback', 'correction_request', 'breach', 'urgent', 'action_overdue', 'action_assigned'));
