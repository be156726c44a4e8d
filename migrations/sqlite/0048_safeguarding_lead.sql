-- A designated safeguarding lead is a role granted like the others. SQLite
-- cannot change a check constraint, so role_grant is rebuilt with the
-- wider list (nothing refers to it).
create table role_grant_next (
    role_grant_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    role text not null check (role in ('care_worker', 'senior_carer', 'registered_manager', 'regional_manager', 'head_of_operations', 'quality_assurance', 'board_member', 'administrator', 'safeguarding_lead')),
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
