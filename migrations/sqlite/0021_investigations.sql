-- Serious incident investigations: the record with its lead and terms of
-- reference, findings and the family's questions and account; meetings of
-- the multi-disciplinary team; the timeline; contributory factors; the
-- organisation's own factors and retired shipped ones; and actions from an
-- investigation.
create table investigation (
    investigation_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    incident_id blob not null unique references incident (incident_id),
    reference_number integer not null,
    lead_id blob not null references app_user (user_id),
    terms_of_reference text not null,
    status text not null check (status in ('open', 'completed')),
    findings text not null,
    family_questions text not null,
    family_account text not null,
    opened_by blob not null references app_user (user_id),
    opened_at integer not null,
    due_at integer not null,
    completed_by blob references app_user (user_id),
    completed_at integer,
    version integer not null,
    updated_at integer not null,
    unique (organisation_id, reference_number)
);
create index investigation_by_service on investigation (service_id, status, opened_at);

create table investigation_meeting (
    meeting_id blob primary key,
    investigation_id blob not null references investigation (investigation_id),
    organisation_id blob not null references organisation (organisation_id),
    held_on text not null check (length(held_on) = 10),
    attendees text not null,
    discussion text not null,
    decisions text not null,
    recorded_by blob not null references app_user (user_id),
    recorded_at integer not null
);
create index investigation_meeting_by_investigation on investigation_meeting (investigation_id, held_on);

create table investigation_event (
    event_id blob primary key,
    investigation_id blob not null references investigation (investigation_id),
    organisation_id blob not null references organisation (organisation_id),
    event_on text not null check (length(event_on) = 10),
    event_time text check (length(event_time) = 5),
    what text not null,
    source text not null,
    recorded_by blob not null references app_user (user_id),
    recorded_at integer not null
);
create index investigation_event_by_investigation on investigation_event (investigation_id, event_on, event_time);

create table investigation_factor (
    factor_id blob primary key,
    investigation_id blob not null references investigation (investigation_id),
    organisation_id blob not null references organisation (organisation_id),
    factor_code text not null,
    note text not null,
    evidence text not null,
    recorded_by blob not null references app_user (user_id),
    recorded_at integer not null
);
create index investigation_factor_by_investigation on investigation_factor (investigation_id);

create table factor_type (
    organisation_id blob not null references organisation (organisation_id),
    code text not null,
    label text not null,
    retired integer not null,
    updated_at integer not null,
    primary key (organisation_id, code)
);

create table action_investigation (
    action_id blob not null references improvement_action (action_id),
    investigation_id blob not null references investigation (investigation_id),
    organisation_id blob not null references organisation (organisation_id),
    primary key (action_id, investigation_id)
);
create index action_investigation_by_investigation on action_investigation (investigation_id);
