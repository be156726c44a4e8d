-- Idempotency keys for report submission: a retry (an offline queue, a
-- double-tapped button, a script) with the same key and body returns the
-- report already made; the same key with another body is refused.
create table idempotency_key (
    user_id blob not null references app_user (user_id),
    idempotency_key text not null,
    organisation_id blob not null references organisation (organisation_id),
    request_hash text not null,
    incident_id blob not null,
    created_at integer not null,
    primary key (user_id, idempotency_key)
);
