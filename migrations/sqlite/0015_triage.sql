-- Triage and the workflow: the later statuses; the incident's current
-- grading, handler and deadlines (each grading is also kept, append-only, in
-- incident_grading with who, when and why); every status move with its
-- note; organisation settings (timescales, risk bands); and days an
-- administrator adds to the bank-holiday calendar.
--
-- BACKEND DIFFERENCE: SQLite cannot change a check constraint in place, so
-- the incident table is rebuilt inside this transaction: its rows are held
-- aside, the old table is dropped and the new one takes its name, then the
-- rows go back. Foreign keys from other tables are deferred to the commit,
-- by which time every incident they point at is back.
pragma defer_foreign_keys = on;
create table incident_held as select * from incident;
create table incident_rebuilt (
    incident_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    area_id blob references area (area_id),
    reference_number integer not null,
    kind text not null check (kind in ('incident', 'near_miss', 'good_practice')),
    category text not null check (category in ('fall', 'medication', 'behaviour', 'pressure_ulcer', 'safeguarding', 'equipment', 'environment', 'infection', 'choking', 'missing_person', 'self_harm', 'death', 'staff_injury', 'data_breach', 'other')),
    status text not null check (status in ('reported', 'triaged', 'under_review', 'under_investigation', 'awaiting_sign_off', 'closed')),
    occurred_at integer not null,
    reported_at integer not null,
    reported_by blob references app_user (user_id),
    description text not null,
    immediate_actions text not null,
    others_involved text not null,
    version integer not null,
    updated_at integer not null,
    details text not null,
    told text not null,
    written_at integer,
    entered_by blob references app_user (user_id),
    triage_due_at integer,
    confirmed_kind text check (confirmed_kind in ('incident', 'near_miss', 'good_practice')),
    confirmed_category text check (confirmed_category in ('fall', 'medication', 'behaviour', 'pressure_ulcer', 'safeguarding', 'equipment', 'environment', 'infection', 'choking', 'missing_person', 'self_harm', 'death', 'staff_injury', 'data_breach', 'other')),
    physical_harm text check (physical_harm in ('none', 'low', 'moderate', 'severe', 'fatal')),
    psychological_harm text check (psychological_harm in ('none', 'low', 'moderate', 'severe')),
    risk_score integer check (risk_score between 1 and 25),
    risk_band text check (risk_band in ('low', 'moderate', 'high', 'extreme')),
    learning_response text check (learning_response in ('no_further_action', 'local_review', 'after_action_review', 'swarm_huddle', 'mdt_review', 'thematic_review', 'serious_investigation')),
    handler_id blob references app_user (user_id),
    triaged_at integer,
    review_due_at integer,
    closed_at integer,
    unique (organisation_id, reference_number)
);
drop table incident;
alter table incident_rebuilt rename to incident;
-- Reports made before triage deadlines existed get theirs from the server
-- at start-up (it takes the working-day calendar).
insert into incident (incident_id, organisation_id, service_id, area_id, reference_number, kind, category, status,
    occurred_at, reported_at, reported_by, description, immediate_actions, others_involved, version, updated_at,
    details, told, written_at, entered_by)
select incident_id, organisation_id, service_id, area_id, reference_number, kind, category, status,
    occurred_at, reported_at, reported_by, description, immediate_actions, others_involved, version, updated_at,
    details, told, written_at, entered_by
from incident_held;
drop table incident_held;
create index incident_by_service on incident (service_id, reported_at, incident_id);
create index incident_by_reporter on incident (reported_by, reported_at);
create index incident_triage_queue on incident (service_id, status, triage_due_at);

create table incident_grading (
    grading_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    kind text not null check (kind in ('incident', 'near_miss', 'good_practice')),
    category text not null check (category in ('fall', 'medication', 'behaviour', 'pressure_ulcer', 'safeguarding', 'equipment', 'environment', 'infection', 'choking', 'missing_person', 'self_harm', 'death', 'staff_injury', 'data_breach', 'other')),
    physical_harm text not null check (physical_harm in ('none', 'low', 'moderate', 'severe', 'fatal')),
    psychological_harm text not null check (psychological_harm in ('none', 'low', 'moderate', 'severe')),
    consequence integer not null check (consequence between 1 and 5),
    likelihood integer not null check (likelihood between 1 and 5),
    risk_score integer not null check (risk_score between 1 and 25),
    risk_band text not null check (risk_band in ('low', 'moderate', 'high', 'extreme')),
    learning_response text not null check (learning_response in ('no_further_action', 'local_review', 'after_action_review', 'swarm_huddle', 'mdt_review', 'thematic_review', 'serious_investigation')),
    no_action_reason text,
    handler_id blob references app_user (user_id),
    review_due_at integer not null,
    reason text not null,
    graded_by blob not null references app_user (user_id),
    graded_at integer not null
);
create index incident_grading_by_incident on incident_grading (incident_id, graded_at);

create table incident_transition (
    transition_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    from_status text not null,
    to_status text not null,
    note text not null,
    actor_id blob not null references app_user (user_id),
    moved_at integer not null
);
create index incident_transition_by_incident on incident_transition (incident_id, moved_at);

create table organisation_setting (
    organisation_id blob not null references organisation (organisation_id),
    setting_key text not null,
    setting_value text not null,
    updated_at integer not null,
    primary key (organisation_id, setting_key)
);

create table extra_holiday (
    organisation_id blob not null references organisation (organisation_id),
    nation text not null check (nation in ('england_and_wales', 'scotland', 'northern_ireland')),
    day text not null check (length(day) = 10),
    label text not null,
    primary key (organisation_id, nation, day)
);
