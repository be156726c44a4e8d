-- Serious incident investigations: the record with its lead and terms of
-- reference, findings and the family's questions and account; meetings of
-- the multi-disciplinary team; the timeline; contributory factors; the
-- organisation's own factors and retired shipped ones; and actions from an
-- investigation.
create table investigation (
    investigation_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    incident_id uuid not null unique references incident (incident_id),
    reference_number bigint not null,
    lead_id uuid not null references app_user (user_id),
    terms_of_reference text not null,
    status text not null check (status in ('open', 'completed')),
    findings text not null,
    family_questions text not null,
    family_account text not null,
    opened_by uuid not null references app_user (user_id),
    opened_at bigint not null,
    due_at bigint not null,
    completed_by uuid references app_user (user_id),
    completed_at bigint,
    version bigint not null,
    updated_at bigint not null,
    unique (organisation_id, reference_number)
);
create index investigation_by_service on investigation (service_id, status, opened_at);

create table investigation_meeting (
    meeting_id uuid primary key,
    investigation_id uuid not null references investigation (investigation_id),
    organisation_id uuid not null references organisation (organisation_id),
    held_on text not null check (length(held_on) = 10),
    attendees text not null,
    discussion text not null,
    decisions text not null,
    recorded_by uuid not null references app_user (user_id),
    recorded_at bigint not null
);
create index investigation_meeting_by_investigation on investigation_meeting (investigation_id, held_on);

create table investigation_event (
    event_id uuid primary key,
    investigation_id uuid not null references investigation (investigation_id),
    organisation_id uuid not null references organisation (organisation_id),
    event_on text not null check (length(event_on) = 10),
    event_time text check (length(event_time) = 5),
    what text not null,
    source text not null,
    recorded_by uuid not null references app_user (user_id),
    recorded_at bigint not null
);
create index investigation_event_by_investigation on investigation_event (investigation_id, event_on, event_time);

create table investigation_factor (
    factor_id uuid primary key,
    investigation_id uuid not null references investigation (investigation_id),
    organisation_id uuid not null references organisation (organisation_id),
    factor_code text not null,
    note text not null,
    evidence text not null,
    recorded_by uuid not null references app_user (user_id),
    recorded_at bigint not null
);
create index investigation_factor_by_investigation on investigation_factor (investigation_id);

create table factor_type (
    organisation_id uuid not null references organisation (organisation_id),
    code text not null,
    label text not null,
    retired boolean not null,
    updated_at bigint not null,
    primary key (organisation_id, code)
);

create table action_investigation (
    action_id uuid not null references improvement_action (action_id),
    investigation_id uuid not null references investigation (investigation_id),
    organisation_id uuid not null references organisation (organisation_id),
    primary key (action_id, investigation_id)
);
create index action_investigation_by_investigation on action_investigation (investigation_id);
