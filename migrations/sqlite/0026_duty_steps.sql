-- Doing a statutory duty: each step recorded as evidence (a submission and
-- its reference, a follow-up, the duty of candour's notifications and
-- contact attempts, a safeguarding referral and its updates, a decision not
-- to report a breach), as JSON in candour_domain::duty_tasks::Step's
-- shape. Steps are only ever added.
create table duty_step (
    step_id blob primary key,
    incident_id blob not null references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    duty text not null,
    kind text not null,
    occurred_at integer not null,
    details text not null,
    recorded_by blob not null references app_user (user_id),
    recorded_at integer not null
);
create index duty_step_by_incident on duty_step (incident_id, duty, occurred_at);

-- A manager's draft of a duty's content (the answers to CQC's questions),
-- versioned so no change overwrites another silently.
create table duty_draft (
    incident_id blob not null references incident (incident_id),
    duty text not null,
    organisation_id blob not null references organisation (organisation_id),
    body text not null,
    version integer not null,
    updated_by blob not null references app_user (user_id),
    updated_at integer not null,
    primary key (incident_id, duty)
);
