-- The lead investigator is told when an investigation is opened for them.
-- BACKEND DIFFERENCE: SQLite cannot change a check in place; nothing
-- refers to notification, so it is rebuilt.
create table notification_rebuilt (
    notification_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    kind text not null check (kind in ('feedback', 'correction_request', 'breach', 'urgent', 'action_overdue', 'action_assigned', 'investigation_lead')),
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
