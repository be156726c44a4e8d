-- Whether an incident's statutory duties are settled: every duty required
-- in force has been done. The duty board and the minute's reminders read
-- only incidents not known to be settled, instead of deciding every
-- incident ever assessed again (221,000 on the large dataset).
--
-- Candour decides duties in Rust, so the database cannot work out
-- `settled` itself. Instead every change to what the decision reads (the
-- assessment, a manager's decision, a step, the incident's grading and
-- times) bumps `generation` and clears `settled`, here in triggers, so no
-- code path can forget. The reminder sweep decides the unsettled ones and
-- marks an incident settled only if its generation is still the one it
-- read before deciding: a change made meanwhile keeps it unsettled.
-- Settled depends on neither the clock nor the deadlines' settings.
create table duty_state (
    incident_id blob primary key references incident (incident_id),
    organisation_id blob not null references organisation (organisation_id),
    reported_at integer not null,
    generation integer not null,
    settled integer not null check (settled in (0, 1))
);
create index duty_state_by_reported on duty_state (organisation_id, reported_at);
create index duty_state_unsettled on duty_state (organisation_id, reported_at) where settled = 0;

insert into duty_state (incident_id, organisation_id, reported_at, generation, settled)
select i.incident_id, i.organisation_id, i.reported_at, 1, 0 from incident i
where exists (select 1 from incident_assessment a where a.incident_id = i.incident_id)
    or exists (select 1 from duty_decision d where d.incident_id = i.incident_id);

-- An incident has duties to decide once it has an assessment or a manager's decision.
-- (SQLite trigger bodies cannot share a statement, so the two upserts repeat.)
create trigger duty_state_on_assessment after insert on incident_assessment
begin
    insert into duty_state (incident_id, organisation_id, reported_at, generation, settled)
    select i.incident_id, i.organisation_id, i.reported_at, 1, 0 from incident i where i.incident_id = new.incident_id
    on conflict (incident_id) do update set generation = duty_state.generation + 1, settled = 0;
end;

create trigger duty_state_on_decision after insert on duty_decision
begin
    insert into duty_state (incident_id, organisation_id, reported_at, generation, settled)
    select i.incident_id, i.organisation_id, i.reported_at, 1, 0 from incident i where i.incident_id = new.incident_id
    on conflict (incident_id) do update set generation = duty_state.generation + 1, settled = 0;
end;

create trigger duty_state_on_facts after update of facts on incident_assessment
begin
    update duty_state set generation = generation + 1, settled = 0 where incident_id = new.incident_id;
end;

create trigger duty_state_on_step after insert on duty_step
begin
    update duty_state set generation = generation + 1, settled = 0 where incident_id = new.incident_id;
end;

create trigger duty_state_on_step_removed after delete on duty_step
begin
    update duty_state set generation = generation + 1, settled = 0 where incident_id = old.incident_id;
end;

create trigger duty_state_on_incident
after update of category, confirmed_category, physical_harm, occurred_at, reported_at, triaged_at on incident
begin
    update duty_state set generation = generation + 1, settled = 0, reported_at = new.reported_at
    where incident_id = new.incident_id;
end;
