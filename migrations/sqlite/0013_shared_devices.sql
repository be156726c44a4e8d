-- Quick sign-in on shared devices: a manager trusts a device for a service
-- (the device keeps a secret cookie; only its hash is stored here), and each
-- person may set a PIN (an Argon2id hash) that works only on such a device.
create table trusted_device (
    device_id blob primary key,
    organisation_id blob not null references organisation (organisation_id),
    service_id blob not null references service (service_id),
    label text not null,
    token_hash text not null unique,
    created_by blob not null references app_user (user_id),
    created_at integer not null,
    last_used_at integer,
    revoked_at integer,
    revoked_by blob references app_user (user_id)
);
create index trusted_device_by_service on trusted_device (service_id, created_at);

create table user_pin (
    user_id blob primary key references app_user (user_id),
    organisation_id blob not null references organisation (organisation_id),
    pin_hash text not null,
    failures integer not null,
    created_at integer not null
);

create table pin_attempt (
    pin_attempt_id blob primary key,
    device_id blob not null references trusted_device (device_id),
    user_id blob references app_user (user_id),
    succeeded integer not null,
    attempted_at integer not null
);
create index pin_attempt_by_device on pin_attempt (device_id, attempted_at);

-- The device a session was opened on with a PIN (null for a password):
-- such a session ends after a short idle time, and with the device.
alter table user_session add column device_id blob references trusted_device (device_id);
