-- Staff recorded against an incident, each with a part (witness, staff
-- involved, affected, alleged to have caused harm). People using the
-- service are in incident_person; visitors and others are free text.
create table incident_staff (
    incident_id uuid not null references incident (incident_id),
    user_id uuid not null references app_user (user_id),
    organisation_id uuid not null references organisation (organisation_id),
    role text not null check (role in ('affected', 'witness', 'alleged_perpetrator', 'staff_involved')),
    primary key (incident_id, user_id, role)
);
create index incident_staff_by_user on incident_staff (user_id);
