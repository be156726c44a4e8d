-- A lessons-learned meeting held for a group of services: the services
-- taking part besides the one that arranged it (its agenda covers them
-- all, and it is listed and exported with each).
create table learning_meeting_service (
    meeting_id uuid not null references learning_meeting (meeting_id),
    service_id uuid not null references service (service_id),
    primary key (meeting_id, service_id)
);
create index learning_meeting_service_by_service on learning_meeting_service (service_id);
