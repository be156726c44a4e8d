-- A note written on one day of a service's safety cross (what the box
-- cannot say: "two falls, the same person", "sensor mats arrived"). Notes
-- are only added; the latest for a day is shown, every one is audited.
create table safety_cross_note (
    note_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    measure text not null,
    day text not null,
    note text not null,
    noted_by uuid not null references app_user (user_id),
    noted_at bigint not null
);
create index safety_cross_note_by_month on safety_cross_note (service_id, measure, day, noted_at);
