-- Reports being written: saved as the reporter types (or with "Save as
-- draft"), private to the reporter, removed in the transaction that files
-- the report. A draft is scratch, not a record: it is not in the audit trail.
create table report_draft (
    draft_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    user_id uuid not null references app_user (user_id),
    service_id uuid references service (service_id),
    kind text not null,
    category text not null,
    fields text not null,
    version bigint not null,
    created_at bigint not null,
    updated_at bigint not null
);
create index report_draft_by_user on report_draft (user_id, updated_at);
