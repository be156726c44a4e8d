-- Candour foundation schema: organisation structure, people using services,
-- staff accounts, sessions, API tokens, incidents and the audit chain.
-- Instants are UTC epoch milliseconds; calendar dates are ISO 'YYYY-MM-DD' text;
-- ids are uuidv7 made in Rust; enums are text with a check. No database defaults.

create table organisation (
    organisation_id uuid primary key,
    name text not null,
    created_at bigint not null
);

create table region (
    region_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    name text not null,
    created_at bigint not null,
    unique (organisation_id, name)
);

create table service (
    service_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    region_id uuid not null references region (region_id),
    name text not null,
    cqc_location_id text,
    service_type text not null check (service_type in ('care_home', 'care_home_with_nursing', 'home_care', 'supported_living')),
    address text not null,
    postcode text not null,
    nation text not null check (nation in ('england_and_wales', 'scotland', 'northern_ireland')),
    created_at bigint not null,
    unique (organisation_id, name)
);

create table area (
    area_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    name text not null,
    kind text not null check (kind in ('floor', 'wing', 'unit', 'round', 'house')),
    created_at bigint not null,
    unique (service_id, name)
);

create table person (
    person_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    internal_code text not null,
    display_name text not null,
    date_of_birth text check (date_of_birth is null or length(date_of_birth) = 10),
    nhs_number text check (nhs_number is null or length(nhs_number) = 10),
    area_id uuid references area (area_id),
    room text,
    start_date text not null check (length(start_date) = 10),
    status text not null check (status in ('active', 'in_hospital', 'left', 'deceased')),
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null,
    unique (organisation_id, internal_code)
);
create index person_by_service on person (service_id, display_name);

create table app_user (
    user_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    email text not null unique,
    display_name text not null,
    password_hash text,
    active boolean not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index app_user_by_organisation on app_user (organisation_id, display_name);

create table role_grant (
    role_grant_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    user_id uuid not null references app_user (user_id),
    role text not null check (role in ('care_worker', 'senior_carer', 'registered_manager', 'regional_manager', 'head_of_operations', 'quality_assurance', 'board_member', 'administrator')),
    scope_kind text not null check (scope_kind in ('organisation', 'region', 'service')),
    region_id uuid references region (region_id),
    service_id uuid references service (service_id),
    created_at bigint not null,
    check ((scope_kind = 'organisation' and region_id is null and service_id is null)
        or (scope_kind = 'region' and region_id is not null and service_id is null)
        or (scope_kind = 'service' and service_id is not null and region_id is null))
);
create index role_grant_by_user on role_grant (user_id);

create table user_session (
    session_hash text primary key,
    user_id uuid not null references app_user (user_id),
    organisation_id uuid not null references organisation (organisation_id),
    created_at bigint not null,
    last_seen_at bigint not null,
    expires_at bigint not null
);
create index user_session_by_user on user_session (user_id);

create table login_attempt (
    login_attempt_id uuid primary key,
    email text not null,
    client_ip text not null,
    succeeded boolean not null,
    attempted_at bigint not null
);
create index login_attempt_by_email on login_attempt (email, attempted_at);
create index login_attempt_by_ip on login_attempt (client_ip, attempted_at);

create table api_token (
    api_token_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    user_id uuid not null references app_user (user_id),
    label text not null,
    token_hash text not null unique,
    created_at bigint not null,
    last_used_at bigint,
    revoked_at bigint
);

create table reference_counter (
    organisation_id uuid not null references organisation (organisation_id),
    prefix text not null,
    last_value bigint not null,
    primary key (organisation_id, prefix)
);

create table incident (
    incident_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    area_id uuid references area (area_id),
    reference_number bigint not null,
    kind text not null check (kind in ('incident', 'near_miss', 'good_practice')),
    category text not null check (category in ('fall', 'medication', 'behaviour', 'pressure_ulcer', 'safeguarding', 'equipment', 'environment', 'infection', 'choking', 'missing_person', 'self_harm', 'death', 'staff_injury', 'data_breach', 'other')),
    status text not null check (status in ('reported')),
    occurred_at bigint not null,
    reported_at bigint not null,
    reported_by uuid references app_user (user_id),
    description text not null,
    immediate_actions text not null,
    others_involved text not null,
    version bigint not null,
    updated_at bigint not null,
    unique (organisation_id, reference_number)
);
create index incident_by_service on incident (service_id, reported_at, incident_id);
create index incident_by_reporter on incident (reported_by, reported_at);

create table incident_person (
    incident_id uuid not null references incident (incident_id),
    person_id uuid not null references person (person_id),
    organisation_id uuid not null references organisation (organisation_id),
    role text not null check (role in ('affected', 'witness', 'alleged_perpetrator', 'staff_involved')),
    primary key (incident_id, person_id, role)
);
create index incident_person_by_person on incident_person (person_id);

create table audit_head (
    organisation_id uuid primary key references organisation (organisation_id),
    last_sequence bigint not null,
    last_hash text not null
);

create table audit_event (
    audit_event_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    sequence bigint not null,
    occurred_at bigint not null,
    actor text not null,
    action text not null,
    record_type text not null,
    record_id text not null,
    changes text not null,
    prev_hash text not null,
    hash text not null,
    unique (organisation_id, sequence)
);
create index audit_event_by_record on audit_event (organisation_id, record_type, record_id, sequence);

create table app_setting (
    setting_key text primary key,
    setting_value text not null
);
