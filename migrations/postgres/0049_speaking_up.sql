-- Speaking up: a speaking-up guardian is a role granted like the others;
-- concerns raised with guardians, named in confidence or anonymous (only a
-- case code's hash is kept), and the messages between raiser and guardian.
alter table role_grant drop constraint role_grant_role_check;
alter table role_grant add constraint role_grant_role_check check (role in ('care_worker', 'senior_carer', 'registered_manager', 'regional_manager', 'head_of_operations', 'quality_assurance', 'board_member', 'administrator', 'safeguarding_lead', 'speaking_up_guardian'));

create table speak_up_concern (
    concern_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    reference_number bigint not null,
    service_id uuid references service (service_id),
    theme text not null check (theme in ('practice', 'culture', 'bullying', 'manager_conduct', 'other')),
    description text not null,
    raised_by uuid references app_user (user_id),
    case_code_hash text unique,
    raised_at bigint not null,
    acknowledged_at bigint,
    acknowledged_by uuid references app_user (user_id),
    outcome text,
    closed_at bigint,
    closed_by uuid references app_user (user_id),
    unique (organisation_id, reference_number),
    check ((raised_by is null) <> (case_code_hash is null))
);
create index speak_up_concern_by_raiser on speak_up_concern (raised_by);
create index speak_up_concern_by_raised on speak_up_concern (organisation_id, raised_at);

create table speak_up_message (
    message_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    concern_id uuid not null references speak_up_concern (concern_id),
    from_raiser boolean not null,
    author_id uuid references app_user (user_id),
    body text not null,
    created_at bigint not null
);
create index speak_up_message_by_concern on speak_up_message (concern_id, created_at);
