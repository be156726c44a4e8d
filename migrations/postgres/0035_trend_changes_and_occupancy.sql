-- A change recorded against a trend ("sensor mats introduced"): the
-- chart's limits are recalculated from the first whole month or week after
-- it. Recorded for a service, a region or the organisation, and a measure.
-- Only added; each is audited.
create table spc_change (
    change_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    scope_kind text not null check (scope_kind in ('organisation', 'region', 'service')),
    region_id uuid references region (region_id),
    service_id uuid references service (service_id),
    measure text not null,
    starts_on text not null,
    label text not null,
    recorded_by uuid not null references app_user (user_id),
    recorded_at bigint not null,
    check ((scope_kind = 'organisation' and region_id is null and service_id is null)
        or (scope_kind = 'region' and region_id is not null and service_id is null)
        or (scope_kind = 'service' and service_id is not null and region_id is null))
);
create index spc_change_by_scope on spc_change (organisation_id, measure, starts_on);

-- Occupied bed days of a service in a month (the denominator of rates per
-- 1,000 occupied bed days), versioned so no change overwrites another
-- silently.
create table service_occupancy (
    service_id uuid not null references service (service_id),
    month text not null,
    organisation_id uuid not null references organisation (organisation_id),
    bed_days bigint not null check (bed_days >= 0),
    version bigint not null,
    updated_by uuid not null references app_user (user_id),
    updated_at bigint not null,
    primary key (service_id, month)
);
