-- One-time links that let a member of staff set a password: an invitation
-- (valid 72 hours) or a password reset (valid 1 hour). Only the secret's
-- hash is kept; a link is used once, and a newer one withdraws the older.
-- Requests for a reset from the sign-in page are kept to limit them per
-- address and per client.
create table account_link (
    link_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    user_id uuid not null references app_user (user_id),
    purpose text not null check (purpose in ('invitation', 'reset')),
    secret_hash text not null unique,
    created_by uuid references app_user (user_id),
    created_at bigint not null,
    expires_at bigint not null,
    used_at bigint,
    withdrawn_at bigint
);
create index account_link_by_user on account_link (user_id);

create table password_reset_request (
    request_id uuid primary key,
    email text not null,
    client_ip text not null,
    requested_at bigint not null
);
create index password_reset_request_by_email on password_reset_request (email, requested_at);
create index password_reset_request_by_client on password_reset_request (client_ip, requested_at);
