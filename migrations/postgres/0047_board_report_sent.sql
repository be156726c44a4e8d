-- The monthly board report as it was sent: see the SQLite migration of the same number.
create table board_report_sent (
    board_report_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    month text not null,
    scope_code text not null,
    scope_label text not null,
    pdf bytea not null,
    sha256 text not null,
    made_at bigint not null,
    unique (organisation_id, month, scope_code)
);
