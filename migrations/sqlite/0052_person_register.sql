-- The people register kept true: a person may also be on leave; each has a
-- preferred name, how their care is funded and the date their status
-- began; and every change to them is kept as a version (a copy of the
-- details with who and when), for the history on their page.
--
-- BACKEND DIFFERENCE: SQLite cannot change a check constraint in place, so
-- the person table is rebuilt inside this transaction, as migration 0015
-- rebuilt the incident table; foreign keys to it are checked at commit.
pragma defer_foreign_keys = on;
create table person_held as select * from person;
create table person_rebuilt (
    person_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    internal_code text not null,
    display_name text not null,
    date_of_birth text check (date_of_birth is null or length(date_of_birth) = 10),
    nhs_number text check (nhs_number is null or length(nhs_number) = 10),
    area_id blob references area (area_id),
    room text,
    start_date text not null check (length(start_date) = 10),
    status text not null check (status in ('active', 'in_hospital', 'on_leave', 'left', 'deceased')),
    version integer not null,
    created_at integer not null,
    updated_at integer not null,
    preferred_name text,
    funding text check (funding is null or funding in ('self_funded', 'local_authority', 'nhs_continuing_healthcare', 'joint', 'other')),
    status_since text check (status_since is null or length(status_since) = 10),
    unique (organisation_id, internal_code)
);
drop table person;
alter table person_rebuilt rename to person;
insert into person (person_id, organisation_id, service_id, internal_code, display_name, date_of_birth, nhs_number, area_id, room, start_date, status, version, created_at, updated_at)
    select person_id, organisation_id, service_id, internal_code, display_name, date_of_birth, nhs_number, area_id, room, start_date, status, version, created_at, updated_at from person_held;
drop table person_held;
create index person_by_service on person (service_id, display_name);

create table person_version (
    person_id blob not null references person (person_id),
    version integer not null,
    organisation_id blob not null references organisation (organisation_id),
    details text not null,
    changed_by blob references app_user (user_id),
    changed_at integer not null,
    primary key (person_id, version)
);
