-- Photos and documents added to reports. Kept in the database so that a
-- backup of the database holds them; the type was checked by content.
create table attachment (
    attachment_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    incident_id uuid not null references incident (incident_id),
    uploaded_by uuid references app_user (user_id),
    file_name text not null,
    media_type text not null check (media_type in ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
    size_bytes bigint not null,
    sha256 text not null,
    content bytea not null,
    created_at bigint not null
);
create index attachment_by_incident on attachment (incident_id, created_at);
