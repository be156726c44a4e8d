-- A second factor for password sign-in: each account's authenticator
-- secret (confirmed once a code from it has been typed) with the last step
-- used, so a code is never accepted twice; its single-use recovery codes,
-- kept only as hashes; and the short-lived challenges between a right
-- password and a right code (only a hash of each is kept).
create table second_factor (
    user_id blob primary key references app_user (user_id),
    organisation_id blob not null references organisation (organisation_id),
    secret text not null,
    created_at integer not null,
    confirmed_at integer,
    last_used_step integer
);

create table recovery_code (
    user_id blob not null references app_user (user_id),
    code_hash text not null,
    created_at integer not null,
    used_at integer,
    primary key (user_id, code_hash)
);

create table sign_in_challenge (
    challenge_hash text primary key,
    user_id blob not null references app_user (user_id),
    client_ip text not null,
    created_at integer not null,
    expires_at integer not null
);
