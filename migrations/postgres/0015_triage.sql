-- Triage and the workflow: the later statuses; the incident's current
-- grading, handler and deadlines (each grading is also kept, append-only, in
-- incident_grading with who, when and why); every status move with its
-- note; organisation settings (timescales, risk bands); and days an
-- administrator adds to the bank-holiday calendar.
alter table incident drop constraint incident_status_check;
alter table incident add constraint incident_status_check check (status in ('reported', 'triaged', 'under_review', 'under_investigation', 'awaiting_sign_off', 'closed'));
alter table incident add column triage_due_at bigint;
alter table incident add column confirmed_kind text check (confirmed_kind in ('incident', 'near_miss', 'good_practice'));
alter table incident add column confirmed_category text check (confirmed_category in ('fall', 'medication', 'behaviour', 'pressure_ulcer', 'safeguarding', 'equipment', 'environment', 'infection', 'choking', 'missing_person', 'self_harm', 'death', 'staff_injury', 'data_breach', 'other'));
alter table incident add column physical_harm text check (physical_harm in ('none', 'low', 'moderate', 'severe', 'fatal'));
alter table incident add column psychological_harm text check (psychological_harm in ('none', 'low', 'moderate', 'severe'));
alter table incident add column risk_score bigint check (risk_score between 1 and 25);
alter table incident add column risk_band text check (risk_band in ('low', 'moderate', 'high', 'extreme'));
alter table incident add column learning_response text check (learning_response in ('no_further_action', 'local_review', 'after_action_review', 'swarm_huddle', 'mdt_review', 'thematic_review', 'serious_investigation'));
alter table incident add column handler_id uuid references app_user (user_id);
alter table incident add column triaged_at bigint;
alter table incident add column review_due_at bigint;
alter table incident add column closed_at bigint;
-- Reports made before triage deadlines existed get theirs from the server
-- at start-up (it takes the working-day calendar).
create index incident_triage_queue on incident (service_id, status, triage_due_at);

create table incident_grading (
    grading_id uuid primary key,
    incident_id uuid not null references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    kind text not null check (kind in ('incident', 'near_miss', 'good_practice')),
    category text not null check (category in ('fall', 'medication', 'behaviour', 'pressure_ulcer', 'safeguarding', 'equipment', 'environment', 'infection', 'choking', 'missing_person', 'self_harm', 'death', 'staff_injury', 'data_breach', 'other')),
    physical_harm text not null check (physical_harm in ('none', 'low', 'moderate', 'severe', 'fatal')),
    psychological_harm text not null check (psychological_harm in ('none', 'low', 'moderate', 'severe')),
    consequence bigint not null check (consequence between 1 and 5),
    likelihood bigint not null check (likelihood between 1 and 5),
    risk_score bigint not null check (risk_score between 1 and 25),
    risk_band text not null check (risk_band in ('low', 'moderate', 'high', 'extreme')),
    learning_response text not null check (learning_response in ('no_further_action', 'local_review', 'after_action_review', 'swarm_huddle', 'mdt_review', 'thematic_review', 'serious_investigation')),
    no_action_reason text,
    handler_id uuid references app_user (user_id),
    review_due_at bigint not null,
    reason text not null,
    graded_by uuid not null references app_user (user_id),
    graded_at bigint not null
);
create index incident_grading_by_incident on incident_grading (incident_id, graded_at);

create table incident_transition (
    transition_id uuid primary key,
    incident_id uuid not null references incident (incident_id),
    organisation_id uuid not null references organisation (organisation_id),
    from_status text not null,
    to_status text not null,
    note text not null,
    actor_id uuid not null references app_user (user_id),
    moved_at bigint not null
);
create index incident_transition_by_incident on incident_transition (incident_id, moved_at);

create table organisation_setting (
    organisation_id uuid not null references organisation (organisation_id),
    setting_key text not null,
    setting_value text not null,
    updated_at bigint not null,
    primary key (organisation_id, setting_key)
);

create table extra_holiday (
    organisation_id uuid not null references organisation (organisation_id),
    nation text not null check (nation in ('england_and_wales', 'scotland', 'northern_ireland')),
    day text not null check (length(day) = 10),
    label text not null,
    primary key (organisation_id, nation, day)
);
