-- Speaking up: a speaking-up guardian is a role granted like the others
-- (SQLite cannot change a check constraint, so role_grant is rebuilt with
-- the wider list; nothing refers to it); concerns raised with guardians,
-- named in confidence or anonymous (only a case code's hash is kept), and
-- the messages between raiser and guardian.
create table role_grant_next (
    role_grant_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    role text not null check (role in ('care_worker', 'senior_carer', 'registered_manager', 'regional_manager', 'head_of_operations', 'quality_assurance', 'board_member', 'administrator', 'safeguarding_lead', 'speaking_up_guardian')),
    scope_kind text not null check (scope_kind in ('organisation', 'region', 'service')),
    region_id blob references region (region_id),
    service_id blob references service (service_id),
    created_at integer not null,
    check ((scope_kind = 'organisation' and region_id is null and service_id is null)
        or (scope_kind = 'region' and region_id is not null and service_id is null)
        or (scope_kind = 'service' and service_id is not null and region_id is null))
);
insert into role_grant_next (role_grant_id, organisation_id, user_id, role, scope_kind, region_id, service_id, created_at)
    select role_grant_id, organisation_id, user_id, role, scope_kind, region_id, service_id, created_at from role_grant;
drop table role_grant;
alter table role_grant_next rename to role_grant;
create index role_grant_by_user on role_grant (user_id);

create table speak_up_concern (
    concern_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    reference_number integer not null,
    service_id blob references service (service_id),
    theme text not null check (theme in ('practice', 'culture', 'bullying', 'manager_conduct', 'other')),
    description text not null,
    raised_by blob references app_user (user_id),
    case_code_hash text unique,
    raised_at integer not null,
    acknowledged_at integer,
    acknowledged_by blob references app_user (user_id),
    outcome text,
    closed_at integer,
    closed_by blob references app_user (user_id),
    unique (organisation_id, reference_number),
    check ((raised_by is null) <> (case_code_hash is null))
);
create index speak_up_concern_by_raiser on speak_up_concern (raised_by);
create index speak_up_concern_by_raised on speak_up_concern (organisation_id, raised_at);

create table speak_up_message (
    message_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    concern_id blob not null references speak_up_concern (concern_id),
    from_raiser integer not null,
    author_id blob references app_user (user_id),
    body text not null,
    created_at integer not null
);
create index speak_up_message_by_concern on speak_up_message (concern_id, created_at);
