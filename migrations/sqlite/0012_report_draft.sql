-- Reports being written: saved as the reporter types (or with "Save as
-- draft"), private to the reporter, removed in the transaction that files
-- the report. A draft is scratch, not a record: it is not in the audit trail.
create table report_draft (
    draft_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    user_id blob not null references app_user (user_id),
    service_id blob references service (service_id),
    kind text not null,
    category text not null,
    fields text not null,
    version integer not null,
    created_at integer not null,
    updated_at integer not null
);
create index report_draft_by_user on report_draft (user_id, updated_at);
