-- Anonymous reporting: each service's public reporting link, the case codes
-- anonymous reporters follow their reports with (only hashes are stored), the
-- messages between a reporter and the handler, and code look-ups (throttling).
alter table service add column public_token text;
create unique index service_public_token on service (public_token);

create table anonymous_case (
    case_code_hash text primary key,
    organisation_id uuid not null references organisation (organisation_id),
    incident_id uuid not null unique references incident (incident_id),
    created_at bigint not null
);

create table case_message (
    message_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    incident_id uuid not null references incident (incident_id),
    from_reporter boolean not null,
    author_id uuid references app_user (user_id),
    body text not null,
    created_at bigint not null
);
create index case_message_by_incident on case_message (incident_id, created_at);

create table case_lookup (
    case_lookup_id uuid primary key,
    client_ip text not null,
    succeeded boolean not null,
    attempted_at bigint not null
);
create index case_lookup_by_ip on case_lookup (client_ip, attempted_at);
