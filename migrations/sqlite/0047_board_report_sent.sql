-- The monthly board report as it was sent: its PDF, kept when the month's
-- reports go out, so what the board saw can be shown later (a past month
-- rebuilt from today's records may differ as records are updated).
create table board_report_sent (
    board_report_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    month text not null,
    scope_code text not null,
    scope_label text not null,
    pdf blob not null,
    sha256 text not null,
    made_at integer not null,
    unique (organisation_id, month, scope_code)
);
