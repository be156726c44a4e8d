-- The audit chain becomes keyed: see the SQLite migration of the same number.
alter table audit_event add column chain bigint not null default 1 check (chain in (1, 2));
alter table audit_event add column values_hash text;

create table audit_values (
    organisation_id uuid not null references organisation (organisation_id),
    sequence bigint not null,
    changes text not null,
    primary key (organisation_id, sequence)
);

create table audit_key (
    key_id text primary key,
    recorded_at bigint not null
);
