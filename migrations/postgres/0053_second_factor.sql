-- A second factor for password sign-in: each account's authenticator
-- secret (confirmed once a code from it has been typed) with the last step
-- used, so a code is never accepted twice; its single-use recovery codes,
-- kept only as hashes; and the short-lived challenges between a right
-- password and a right code (only a hash of each is kept).
create table second_factor (
    user_id uuid primary key references app_user (user_id),
    organisation_id uuid not null references organisation (organisation_id),
    secret text not null,
    created_at bigint not null,
    confirmed_at bigint,
    last_used_step bigint
);

create table recovery_code (
    user_id uuid not null references app_user (user_id),
    code_hash text not null,
    created_at bigint not null,
    used_at bigint,
    primary key (user_id, code_hash)
);

create table sign_in_challenge (
    challenge_hash text primary key,
    user_id uuid not null references app_user (user_id),
    client_ip text not null,
    created_at bigint not null,
    expires_at bigint not null
);
