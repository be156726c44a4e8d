-- Counts of incidents by half-day, kept up to date by triggers in the same
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
-- with one trigger function. A migration that rebuilds `incident` must
-- recreate the triggers.
create table incident_tally (
    service_id blob not null,
    kind text not null,
    bucket integer not null,
    category text not null,
    harm integer not null,
    n integer not null,
    primary key (service_id, kind, bucket, category, harm)
) without rowid;
create table incident_org_tally (
    organisation_id blob not null,
    kind text not null,
    bucket integer not null,
    category text not null,
    harm integer not null,
    n integer not null,
    primary key (organisation_id, kind, bucket, category, harm)
) without rowid;

insert into incident_tally (service_id, kind, bucket, category, harm, n)
    select service_id, coalesce(confirmed_kind, kind),
        (occurred_at / 86400000) * 2 + (case when occurred_at % 86400000 >= 82800000 then 1 else 0 end),
        coalesce(confirmed_category, category),
        case physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end,
        count(*)
    from incident group by 1, 2, 3, 4, 5;
insert into incident_org_tally (organisation_id, kind, bucket, category, harm, n)
    select organisation_id, kind, bucket, category, harm, n from (
        select organisation_id, coalesce(confirmed_kind, kind) as kind,
            (occurred_at / 86400000) * 2 + (case when occurred_at % 86400000 >= 82800000 then 1 else 0 end) as bucket,
            coalesce(confirmed_category, category) as category,
            case physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end as harm,
            count(*) as n
        from incident group by 1, 2, 3, 4, 5
    );

create trigger incident_tally_on_report after insert on incident
begin
    insert into incident_tally (service_id, kind, bucket, category, harm, n) values (
        new.service_id, coalesce(new.confirmed_kind, new.kind),
        (new.occurred_at / 86400000) * 2 + (case when new.occurred_at % 86400000 >= 82800000 then 1 else 0 end),
        coalesce(new.confirmed_category, new.category),
        case new.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end,
        1)
    on conflict (service_id, kind, bucket, category, harm) do update set n = n + 1;
    insert into incident_org_tally (organisation_id, kind, bucket, category, harm, n) values (
        new.organisation_id, coalesce(new.confirmed_kind, new.kind),
        (new.occurred_at / 86400000) * 2 + (case when new.occurred_at % 86400000 >= 82800000 then 1 else 0 end),
        coalesce(new.confirmed_category, new.category),
        case new.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end,
        1)
    on conflict (organisation_id, kind, bucket, category, harm) do update set n = n + 1;
end;

create trigger incident_tally_on_destroy after delete on incident
begin
    update incident_tally set n = n - 1
    where service_id = old.service_id and kind = coalesce(old.confirmed_kind, old.kind)
        and bucket = (old.occurred_at / 86400000) * 2 + (case when old.occurred_at % 86400000 >= 82800000 then 1 else 0 end)
        and category = coalesce(old.confirmed_category, old.category)
        and harm = case old.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end;
    update incident_org_tally set n = n - 1
    where organisation_id = old.organisation_id and kind = coalesce(old.confirmed_kind, old.kind)
        and bucket = (old.occurred_at / 86400000) * 2 + (case when old.occurred_at % 86400000 >= 82800000 then 1 else 0 end)
        and category = coalesce(old.confirmed_category, old.category)
        and harm = case old.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end;
end;

create trigger incident_tally_on_regrade
after update of kind, confirmed_kind, category, confirmed_category, physical_harm, occurred_at, service_id on incident
when coalesce(old.confirmed_kind, old.kind) is not coalesce(new.confirmed_kind, new.kind)
    or coalesce(old.confirmed_category, old.category) is not coalesce(new.confirmed_category, new.category)
    or old.physical_harm is not new.physical_harm
    or old.occurred_at is not new.occurred_at
    or old.service_id is not new.service_id
begin
    update incident_tally set n = n - 1
    where service_id = old.service_id and kind = coalesce(old.confirmed_kind, old.kind)
        and bucket = (old.occurred_at / 86400000) * 2 + (case when old.occurred_at % 86400000 >= 82800000 then 1 else 0 end)
        and category = coalesce(old.confirmed_category, old.category)
        and harm = case old.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end;
    update incident_org_tally set n = n - 1
    where organisation_id = old.organisation_id and kind = coalesce(old.confirmed_kind, old.kind)
        and bucket = (old.occurred_at / 86400000) * 2 + (case when old.occurred_at % 86400000 >= 82800000 then 1 else 0 end)
        and category = coalesce(old.confirmed_category, old.category)
        and harm = case old.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end;
    insert into incident_tally (service_id, kind, bucket, category, harm, n) values (
        new.service_id, coalesce(new.confirmed_kind, new.kind),
        (new.occurred_at / 86400000) * 2 + (case when new.occurred_at % 86400000 >= 82800000 then 1 else 0 end),
        coalesce(new.confirmed_category, new.category),
        case new.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end,
        1)
    on conflict (service_id, kind, bucket, category, harm) do update set n = n + 1;
    insert into incident_org_tally (organisation_id, kind, bucket, category, harm, n) values (
        new.organisation_id, coalesce(new.confirmed_kind, new.kind),
        (new.occurred_at / 86400000) * 2 + (case when new.occurred_at % 86400000 >= 82800000 then 1 else 0 end),
        coalesce(new.confirmed_category, new.category),
        case new.physical_harm when 'low' then 1 when 'moderate' then 2 when 'severe' then 3 when 'fatal' then 4 else 0 end,
        1)
    on conflict (organisation_id, kind, bucket, category, harm) do update set n = n + 1;
end;
