-- Anonymous reports sent from each address in the last hour, for abuse
-- protection only: never linked to a report, and purged as new ones arrive.
create table public_submission (
    public_submission_id blob primary key,
    client_ip text not null,
    submitted_at integer not null
);
create index public_submission_by_ip on public_submission (client_ip, submitted_at);
