-- Reminders and escalations about statutory duties not yet done: one row
-- per incident, duty, deadline, alert (reminder or escalation level) and
-- person, so each is sent once even with several instances.
create table duty_alert (
    incident_id uuid not null references incident (incident_id),
    duty text not null,
    due_at bigint not null,
    alert text not null,
    user_id uuid not null references app_user (user_id),
    organisation_id uuid not null references organisation (organisation_id),
    sent_at bigint not null,
    primary key (incident_id, duty, due_at, alert, user_id)
);

-- Notifications gain the duty kinds.
alter table notification drop constraint notification_kind_check;
alter table notification add constraint notification_kind_check check (kind in ('feedback', 'correction_request', 'breach', 'urgent', 'action_overdue', 'action_assigned', 'investigation_lead', 'duty_due', 'duty_overdue'));
