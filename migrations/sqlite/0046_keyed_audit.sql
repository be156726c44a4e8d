-- The audit chain becomes keyed: each hash an HMAC under a key kept outside
-- the database (candour_domain::audit). An event keeps who, when, what, which
-- record and which fields changed (in `changes`, as a JSON array of names);
-- the changed values move to audit_values, covered by the event's
-- values_hash, so destroying a record under retention removes them and
-- leaves the chain verifiable. Existing events (chain 1, plain SHA-256 with
-- their values inside) are converted by Candour once the key is known,
-- after their chain is verified.
alter table audit_event add column chain integer not null default 1 check (chain in (1, 2));
alter table audit_event add column values_hash text;

create table audit_values (
    organisation_id blob not null references organisation (organisation_id),
    sequence integer not null,
    changes text not null,
    primary key (organisation_id, sequence)
);

-- The id (never the key) of the key the chain is made with, so an instance
-- given a different key refuses to start rather than fork the chain.
create table audit_key (
    key_id text primary key,
    recorded_at integer not null
);
