-- Lessons learned (issue 6): what happened (anonymised), what we learned,
-- what we changed, published to a service, a region or the organisation.
-- A published lesson is evidence and is never changed; the staff in its
-- scope acknowledge it, once each, and are reminded until they do.
create table lesson (
    lesson_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    scope_kind text not null check (scope_kind in ('organisation', 'region', 'service')),
    region_id blob references region (region_id),
    service_id blob references service (service_id),
    title text not null,
    what_happened text not null,
    what_we_learned text not null,
    what_we_changed text not null,
    source text not null check (source in ('incident', 'investigation', 'meeting', 'guidance')),
    source_ref text not null,
    published_by blob not null references app_user (user_id),
    published_at integer not null
);
create index lesson_by_org on lesson (organisation_id, published_at);

create table lesson_acknowledgement (
    lesson_id blob not null references lesson (lesson_id),
    user_id blob not null references app_user (user_id),
    acknowledged_at integer not null,
    primary key (lesson_id, user_id)
);

create table lesson_reminder (
    lesson_id blob not null references lesson (lesson_id),
    user_id blob not null references app_user (user_id),
    reminder integer not null,
    sent_at integer not null,
    primary key (lesson_id, user_id, reminder)
);
