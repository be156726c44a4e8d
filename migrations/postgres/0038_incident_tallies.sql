-- Counts of incidents by half-day, kept up to date by a trigger in the same
-- transaction as each report, regrading and destruction, so that trend
-- charts over many services add up a few thousand counts instead of reading
-- hundreds of thousands of incidents (docs/BENCHMARKS.md).
--
-- `bucket` is the UTC day times two, plus one for 23:00 to 24:00 UTC: UK
-- time is UTC or UTC+1 and changes at 01:00 UTC, so every instant in a
-- bucket falls on the same UK day, and the code maps each bucket to it.
-- `kind` and `category` are as confirmed at triage (as reported until
-- then); `harm` ranks physical harm: 0 none or not graded, 1 low,
-- 2 moderate, 3 severe, 4 fatal.
-- BACKEND DIFFERENCE: SQLite keeps them with three triggers, PostgreSQL
-- with one trigger function. A regrading moves a count between two rows:
-- the function takes the lower key first, so two regradings crossing each
-- other's keys cannot deadlock.
create table incident_tally (
    service_id uuid not null,
    kind text not null,
    bucket bigint not null,
    category text not null,
    harm integer not null,
    n bigint not null,
    primary key (service_id, kind, bucket, category, harm)
);
create table incident_org_tally (
    organisation_id uuid not null,
    kind text not null,
    bucket bigint not null,
    category text not null,
    harm integer not null,
    n bigint not null,
    primary key (organisation_id, kind, bucket, category, harm)
);

create function incident_tally_bucket(at bigint) returns bigint
    language sql immutable
    as $$ select (at / 86400000) * 2 + (case when at % 86400000 >= 82800000 then 1 else 0 end) $$;
create function incident_tally_harm(physical_harm text) returns integer
    language sql immutable
    as $$ select case physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end $$;

insert into incident_tally (service_id, kind, bucket, category, harm, n)
    select service_id, coalesce(confirmed_kind, kind), incident_tally_bucket(occurred_at),
        coalesce(confirmed_category, category), incident_tally_harm(physical_harm), count(*)
    from incident group by 1, 2, 3, 4, 5;
insert into incident_org_tally (organisation_id, kind, bucket, category, harm, n)
    select organisation_id, coalesce(confirmed_kind, kind), incident_tally_bucket(occurred_at),
        coalesce(confirmed_category, category), incident_tally_harm(physical_harm), count(*)
    from incident group by 1, 2, 3, 4, 5;

create function incident_tally_add(org uuid, svc uuid, k text, b bigint, c text, h integer, d integer)
    returns void language sql
    as $$
    insert into incident_tally (service_id, kind, bucket, category, harm, n) values (svc, k, b, c, h, d)
        on conflict (service_id, kind, bucket, category, harm) do update set n = incident_tally.n + excluded.n;
    insert into incident_org_tally (organisation_id, kind, bucket, category, harm, n) values (org, k, b, c, h, d)
        on conflict (organisation_id, kind, bucket, category, harm) do update set n = incident_org_tally.n + excluded.n;
    $$;

create function incident_tally_on_change() returns trigger
    language plpgsql
    as $$
declare
    old_key record;
    new_key record;
begin
    if tg_op in ('UPDATE', 'DELETE') then
        old_key := row(old.service_id, coalesce(old.confirmed_kind, old.kind), incident_tally_bucket(old.occurred_at),
            coalesce(old.confirmed_category, old.category), incident_tally_harm(old.physical_harm));
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
        new_key := row(new.service_id, coalesce(new.confirmed_kind, new.kind), incident_tally_bucket(new.occurred_at),
            coalesce(new.confirmed_category, new.category), incident_tally_harm(new.physical_harm));
    end if;
    if tg_op = 'INSERT' then
        perform incident_tally_add(new.organisation_id, new_key.f1, new_key.f2, new_key.f3, new_key.f4, new_key.f5, 1);
    elsif tg_op = 'DELETE' then
        perform incident_tally_add(old.organisation_id, old_key.f1, old_key.f2, old_key.f3, old_key.f4, old_key.f5, -1);
    elsif old_key is distinct from new_key then
        if (old_key.f2, old_key.f3, old_key.f4, old_key.f5) < (new_key.f2, new_key.f3, new_key.f4, new_key.f5) then
            perform incident_tally_add(old.organisation_id, old_key.f1, old_key.f2, old_key.f3, old_key.f4, old_key.f5, -1);
            perform incident_tally_add(new.organisation_id, new_key.f1, new_key.f2, new_key.f3, new_key.f4, new_key.f5, 1);
        else
            perform incident_tally_add(new.organisation_id, new_key.f1, new_key.f2, new_key.f3, new_key.f4, new_key.f5, 1);
            perform incident_tally_add(old.organisation_id, old_key.f1, old_key.f2, old_key.f3, old_key.f4, old_key.f5, -1);
        end if;
    end if;
    return null;
end;
$$;

create trigger incident_tally_on_change
    after insert or delete or update of kind, confirmed_kind, category, confirmed_category, physical_harm, occurred_at, service_id
    on incident for each row execute function incident_tally_on_change();
