-- The flags of people at increased risk, kept rather than worked out on
-- every read (a home page over 300 services read 92,000 incidents each
-- time). Candour works the flags out in Rust, so the database cannot keep
-- them itself. A row is kept for each (service, person) whose flags are
-- not known to be none: `stale` rows are to be worked out again; the
-- others hold their flags (JSON) and the moment they may next change as
-- windows slide (`valid_until`, ms). A person with no row has no flags.
--
-- Every write that can add or change flags marks the row stale and bumps
-- `generation`, here in triggers so no code path can forget: a person
-- affected by a new report (inserting the row), an affected person
-- removed, a risk review recorded. Reports never change what the flags
-- read (kind, category, time, answers) once made. A change of the
-- organisation's rules marks everyone affected within the longest window
-- stale (in Rust, which knows the time). The minute's scheduled work
-- works out stale and expired rows and writes them back only if their
-- generation is still the one it read; a reader works out any it finds
-- stale or expired itself, so a reader never sees old flags.
create table person_risk (
    service_id blob not null references service (service_id),
    person_id blob not null references person (person_id),
    organisation_id blob not null references organisation (organisation_id),
    generation integer not null,
    stale integer not null check (stale in (0, 1)),
    flags text not null default '[]',
    valid_until integer not null default 0,
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

create trigger person_risk_on_affected after insert on incident_person
when new.role = 'affected'
begin
    insert into person_risk (service_id, person_id, organisation_id, generation, stale)
    select i.service_id, new.person_id, i.organisation_id, 1, 1 from incident i
    where i.incident_id = new.incident_id and i.kind in ('incident', 'near_miss')
    on conflict (service_id, person_id) do update set generation = person_risk.generation + 1, stale = 1;
end;

create trigger person_risk_on_affected_removed after delete on incident_person
when old.role = 'affected'
begin
    update person_risk set generation = generation + 1, stale = 1 where person_id = old.person_id;
end;

create trigger person_risk_on_review after insert on person_risk_review
begin
    update person_risk set generation = generation + 1, stale = 1 where person_id = new.person_id;
end;
