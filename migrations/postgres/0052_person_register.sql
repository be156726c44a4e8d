-- The people register kept true: a person may also be on leave; each has a
-- preferred name, how their care is funded and the date their status
-- began; and every change to them is kept as a version (a copy of the
-- details with who and when), for the history on their page.
alter table person drop constraint person_status_check;
alter table person add constraint person_status_check check (status in ('active', 'in_hospital', 'on_leave', 'left', 'deceased'));
alter table person add column preferred_name text;
alter table person add column funding text check (funding is null or funding in ('self_funded', 'local_authority', 'nhs_continuing_healthcare', 'joint', 'other'));
alter table person add column status_since text check (status_since is null or length(status_since) = 10);

create table person_version (
    person_id uuid not null references person (person_id),
    version bigint not null,
    organisation_id uuid not null references organisation (organisation_id),
    details text not null,
    changed_by uuid references app_user (user_id),
    changed_at bigint not null,
    primary key (person_id, version)
);
