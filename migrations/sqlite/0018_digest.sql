-- The daily digest: who wants it (people not listed get their role's
-- default), and an HTML part for emails that have one.
create table digest_subscription (
    user_id blob primary key references app_user (user_id),
    organisation_id blob not null references organisation (organisation_id),
    subscribed integer not null,
    updated_at integer not null
);
alter table email_outbox add column body_html text;
