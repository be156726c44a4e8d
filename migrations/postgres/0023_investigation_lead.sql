-- The lead investigator is told when an investigation is opened for them.
alter table notification drop constraint notification_kind_check;
alter table notification add constraint notification_kind_check check (kind in ('feedback', 'correction_request', 'breach', 'urgent', 'action_overdue', 'action_assigned', 'investigation_lead'));
