-- Learning beyond incidents (issue 6). Learning logs about a person's
-- everyday support; reflective practice after an incident and the
-- person's (or their representative's) involvement in its review (both
-- destroyed with the incident at the end of its retention); reflection in
-- supervision, private to the member of staff and their supervisor (it
-- names an incident by reference number only). All are only added.
create table learning_log (
    log_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    person_id blob not null references person (person_id),
    activity text not null,
    tried text not null,
    worked text not null,
    did_not_work text not null,
    will_change text not null,
    changes_support text not null check (changes_support in ('yes', 'no')),
    written_by blob not null references app_user (user_id),
    written_at integer not null
);
create index learning_log_by_person on learning_log (person_id, written_at);

create table reflective_practice (
    session_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    incident_id blob not null references incident (incident_id),
    held_on text not null,
    participants text not null,
    reflections text not null,
    changes text not null,
    written_by blob not null references app_user (user_id),
    written_at integer not null
);
create index reflective_practice_by_incident on reflective_practice (incident_id, held_on);

create table review_involvement (
    involvement_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    incident_id blob not null references incident (incident_id),
    representative text,
    account text not null,
    views text not null,
    wishes text not null,
    recorded_by blob not null references app_user (user_id),
    recorded_at integer not null
);
create index review_involvement_by_incident on review_involvement (incident_id, recorded_at);

create table supervision_reflection (
    reflection_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    staff_id blob not null references app_user (user_id),
    supervisor_id blob not null references app_user (user_id),
    held_on text not null,
    incident_reference bigint,
    reflection text not null,
    support text not null,
    written_at integer not null
);
create index supervision_reflection_by_staff on supervision_reflection (staff_id, held_on);
create index supervision_reflection_by_supervisor on supervision_reflection (supervisor_id, held_on);
