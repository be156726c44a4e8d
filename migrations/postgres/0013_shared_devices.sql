-- Quick sign-in on shared devices: a manager trusts a device for a service
-- (the device keeps a secret cookie; only its hash is stored here), and each
-- person may set a PIN (an Argon2id hash) that works only on such a device.
create table trusted_device (
    device_id uuid primary key,
    organisation_id uuid not null references organisation (organisation_id),
    service_id uuid not null references service (service_id),
    label text not null,
    token_hash text not null unique,
    created_by uuid not null references app_user (user_id),
    created_at bigint not null,
    last_used_at bigint,
    revoked_at bigint,
    revoked_by uuid references app_user (user_id)
);
create index trusted_device_by_service on trusted_device (service_id, created_at);

create table user_pin (
    user_id uuid primary key references app_user (user_id),
    organisation_id uuid not null references organisation (organisation_id),
    pin_hash text not null,
    failures bigint not null,
    created_at bigint not null
);

create table pin_attempt (
    pin_attempt_id uuid primary key,
    device_id uuid not null references trusted_device (device_id),
    user_id uuid references app_user (user_id),
    succeeded boolean not null,
    attempted_at bigint not null
);
create index pin_attempt_by_device on pin_attempt (device_id, attempted_at);

-- The device a session was opened on with a PIN (null for a password):
-- such a session ends after a short idle time, and with the device.
alter table user_session add column device_id uuid references trusted_device (device_id);
