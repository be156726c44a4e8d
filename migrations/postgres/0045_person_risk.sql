-- The flags of people at increased risk, kept rather than worked out on
-- every read: see the SQLite migration of the same number for the design.
create table person_risk (
    service_id uuid not null references service (service_id),
    person_id uuid not null references person (person_id),
    organisation_id uuid not null references organisation (organisation_id),
    generation bigint not null,
    stale bigint not null check (stale in (0, 1)),
    flags text not null default '[]',
    valid_until bigint not null default 0,
    primary key (service_id, person_id)
);
create index person_risk_by_organisation on person_risk (organisation_id, service_id);
create index person_risk_by_person on person_risk (person_id);
create index person_risk_due on person_risk (valid_until) where stale = 0;
create index person_risk_stale on person_risk (organisation_id) where stale = 1;

insert into person_risk (service_id, person_id, organisation_id, generation, stale)
select distinct i.service_id, ip.person_id, i.organisation_id, 1, 1
from incident_person ip join incident i on i.incident_id = ip.incident_id
where ip.role = 'affected' and i.kind in ('incident', 'near_miss');

-- BACKEND DIFFERENCE: one PL/pgSQL function for the triggers; SQLite
-- writes each body out.
create function person_risk_stale() returns trigger
    language plpgsql
    as $$
begin
    if tg_table_name = 'incident_person' and tg_op = 'INSERT' then
        if new.role = 'affected' then
            insert into person_risk (service_id, person_id, organisation_id, generation, stale)
            select i.service_id, new.person_id, i.organisation_id, 1, 1 from incident i
            where i.incident_id = new.incident_id and i.kind in ('incident', 'near_miss')
            on conflict (service_id, person_id) do update set generation = person_risk.generation + 1, stale = 1;
        end if;
    elsif tg_table_name = 'incident_person' then
        if old.role = 'affected' then
            update person_risk set generation = generation + 1, stale = 1 where person_id = old.person_id;
        end if;
    else
        update person_risk set generation = generation + 1, stale = 1 where person_id = new.person_id;
    end if;
    return null;
end;
$$;

create trigger person_risk_on_affected after insert or delete on incident_person
    for each row execute function person_risk_stale();
create trigger person_risk_on_review after insert on person_risk_review
    for each row execute function person_risk_stale();
