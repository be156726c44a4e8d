-- Reminders and escalations about statutory duties not yet done: one row
-- per incident, duty, deadline, alert (reminder or escalation level) and
-- person, so each is sent once even with several instances.
create table duty_alert (
    incident_id blob not null references incident (incident_id),
    duty text not null,
    due_at integer not null,
    alert text not null,
    user_id blob not null references app_user (user_id),
    organisation_id blob not null references organisation (organisation_id),
    sent_at integer not null,
    primary key (incident_id, duty, due_at, alert, user_id)
);

-- Notifications gain the duty kinds.
create table notification_rebuilt (
    notification_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    kind text not null check (kind in ('feedback', 'correction_request', 'breach', 'urgent', 'action_overdue', 'action_assigned', 'investigation_lead', 'duty_due', 'duty_overdue')),
    incident_id blob references incident (incident_id),
    created_at integer not null,
    read_at integer,
    action_id blob references improvement_action (action_id)
);
insert into notification_rebuilt (notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at, action_id)
select notification_id, organisation_id, user_id, kind, incident_id, created_at, read_at, action_id from notification;
drop table notification;
alter table notification_rebuilt rename to notification;
create index notification_by_user on notification (user_id, read_at, created_at);
