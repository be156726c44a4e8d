-- Lessons-learned meetings (issue 6): monthly per service, and urgent after
-- a severe or fatal incident or one sent to a serious investigation. The
-- agenda is built from the period since the last meeting and edited by the
-- chair; minutes and decisions are versioned until published, then fixed.
-- An urgent meeting names its incident by reference number only, so that
-- minutes outlive an incident record destroyed at the end of its retention.
create table learning_meeting (
    meeting_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    kind text not null check (kind in ('monthly', 'urgent')),
    starts_at integer not null,
    location text not null,
    chair text not null,
    incident_reference integer,
    period_from integer not null,
    agenda text not null,
    minutes text not null,
    decisions text not null,
    status text not null check (status in ('arranged', 'published')),
    published_at integer,
    published_by blob references app_user (user_id),
    version integer not null,
    created_by blob not null references app_user (user_id),
    created_at integer not null,
    updated_by blob not null references app_user (user_id),
    updated_at integer not null
);
create index learning_meeting_by_service on learning_meeting (service_id, starts_at);

create table learning_meeting_attendee (
    attendee_id blob primary key,
    meeting_id blob not null references learning_meeting (meeting_id),
    name text not null,
    role text not null,
    attendance text not null check (attendance in ('in_person', 'online', 'apologies')),
    added_at integer not null
);
create index learning_meeting_attendee_by_meeting on learning_meeting_attendee (meeting_id, added_at);

create table learning_meeting_action (
    meeting_id blob not null references learning_meeting (meeting_id),
    action_id blob not null references improvement_action (action_id),
    primary key (meeting_id, action_id)
);
