//! The append-only, hash-chained audit trail (keyed: `candour_domain::audit`).

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::audit::{
    AuditContent, AuditKey, CHAIN_KEYED, GENESIS_HASH, StoredEvent, chain_hash, fields_of,
    keyed_hash, values_hash,
};
use candour_domain::ids::OrganisationId;

/// What to append (the store works out sequence and hashes).
#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    /// Organisation whose chain it joins.
    pub organisation_id: OrganisationId,
    /// When, epoch ms.
    pub occurred_at_ms: i64,
    /// Acting user id, or `system` / `cli`.
    pub actor: &'a str,
    /// What was done, such as `incident.reported`.
    pub action: &'a str,
    /// Record type.
    pub record_type: &'a str,
    /// Record id.
    pub record_id: &'a str,
    /// Changed fields, before and after, as JSON.
    pub changes: &'a str,
}

/// Appends an event to its organisation's keyed chain, inside the caller's
/// transaction: the event holds the names of the fields changed and the
/// keyed hash of their values, the values go to `audit_values`.
///
/// A store opened without a key (only tests building a database as it was
/// before the chain was keyed; Candour's server and commands always open
/// with one) appends a plain event the way Candour did then, which keying
/// converts later and `verify` never accepts in a keyed chain.
pub async fn append(tx: &mut Tx, e: &NewAuditEvent<'_>) -> StoreResult<i64> {
    let (sequence, prev_hash) = next_link(tx, e.organisation_id).await?;
    let Some(key) = tx.audit_key().cloned() else {
        return append_plain(tx, e, sequence, &prev_hash).await;
    };
    append_keyed(tx, e, &key, (sequence, prev_hash)).await
}

/// The plain append of a store without a key (see [`append`]).
async fn append_plain(
    tx: &mut Tx,
    e: &NewAuditEvent<'_>,
    sequence: i64,
    prev_hash: &str,
) -> StoreResult<i64> {
    let content = AuditContent {
        sequence,
        occurred_at_ms: e.occurred_at_ms,
        actor: e.actor,
        action: e.action,
        record_type: e.record_type,
        record_id: e.record_id,
        changes: e.changes,
    };
    let hash = chain_hash(prev_hash, &content);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_event (audit_event_id, organisation_id, sequence, occurred_at, actor, action, record_type, record_id, changes, prev_hash, hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(e.organisation_id.0)
        .bind(sequence)
        .bind(e.occurred_at_ms)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.record_type)
        .bind(e.record_id)
        .bind(e.changes)
        .bind(prev_hash)
        .bind(&hash)
        .execute(&mut *c)
        .await?;
    });
    set_head_hash(tx, e.organisation_id, &hash).await?;
    Ok(sequence)
}

/// Where the organisation's next event goes: its sequence and the previous
/// event's hash. The head's row lock makes concurrent writers chain one
/// after another.
async fn next_link(tx: &mut Tx, org: OrganisationId) -> StoreResult<(i64, String)> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_head (organisation_id, last_sequence, last_hash) values ($1, 0, $2) on conflict (organisation_id) do nothing",
        )
        .bind(org.0)
        .bind(GENESIS_HASH)
        .execute(&mut *c)
        .await?;
        sqlx::query_as(
            "update audit_head set last_sequence = last_sequence + 1 where organisation_id = $1 returning last_sequence, last_hash",
        )
        .bind(org.0)
        .fetch_one(&mut *c)
        .await?
    }))
}

async fn append_keyed(
    tx: &mut Tx,
    e: &NewAuditEvent<'_>,
    key: &AuditKey,
    (sequence, prev_hash): (i64, String),
) -> StoreResult<i64> {
    let fields = fields_of(e.changes);
    let values_hash = values_hash(key, e.changes);
    let content = AuditContent {
        sequence,
        occurred_at_ms: e.occurred_at_ms,
        actor: e.actor,
        action: e.action,
        record_type: e.record_type,
        record_id: e.record_id,
        changes: &fields,
    };
    let hash = keyed_hash(key, &prev_hash, &content, &values_hash);
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_event (audit_event_id, organisation_id, sequence, occurred_at, actor, action, record_type, record_id, changes, prev_hash, hash, chain, values_hash) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(e.organisation_id.0)
        .bind(sequence)
        .bind(e.occurred_at_ms)
        .bind(e.actor)
        .bind(e.action)
        .bind(e.record_type)
        .bind(e.record_id)
        .bind(&fields)
        .bind(&prev_hash)
        .bind(&hash)
        .bind(CHAIN_KEYED)
        .bind(&values_hash)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "insert into audit_values (organisation_id, sequence, changes) values ($1, $2, $3)",
        )
        .bind(e.organisation_id.0)
        .bind(sequence)
        .bind(e.changes)
        .execute(&mut *c)
        .await?;
        sqlx::query("update audit_head set last_hash = $1 where organisation_id = $2")
            .bind(&hash)
            .bind(e.organisation_id.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(sequence)
}

/// Destroys the values of every event about the given records (retention:
/// the events and the chain stay verifiable); returns how many went.
pub async fn destroy_values(
    tx: &mut Tx,
    org: OrganisationId,
    records: &[(&str, String)],
) -> StoreResult<u64> {
    let mut n = 0;
    for (record_type, record_id) in records {
        n += on_tx!(tx, |c| {
            sqlx::query(
                "delete from audit_values where organisation_id = $1 and sequence in \
                 (select sequence from audit_event where organisation_id = $1 and record_type = $2 and record_id = $3)",
            )
            .bind(org.0)
            .bind(*record_type)
            .bind(record_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
    }
    Ok(n)
}

fn event_from(r: &impl PortableRow) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        sequence: r.int("sequence")?,
        occurred_at_ms: r.int("occurred_at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        record_type: r.text("record_type")?,
        record_id: r.text("record_id")?,
        changes: r.text("changes")?,
        chain: r.int("chain")?,
        values_hash: r.opt_text("values_hash")?,
        values: r.opt_text("values_json")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// An event with its values, when kept (`e` the event, `v` its values).
const EVENT_COLUMNS: &str = "e.sequence, e.occurred_at, e.actor, e.action, e.record_type, e.record_id, e.changes, \
     e.chain, e.values_hash, v.changes as values_json, e.prev_hash, e.hash \
     from audit_event e left join audit_values v on v.organisation_id = e.organisation_id and v.sequence = e.sequence";

impl Store {
    /// Up to `limit` events of an organisation's chain after `after_sequence`, in order.
    pub async fn audit_page(
        &self,
        org: OrganisationId,
        after_sequence: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredEvent>> {
        let sql = format!(
            "select {EVENT_COLUMNS} where e.organisation_id = $1 and e.sequence > $2 order by e.sequence limit $3"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(after_sequence)
                .bind(limit)
                .fetch_all(p)
                .await?;
            rows.iter().map(event_from).collect()
        })
    }

    /// Every event about one record, oldest first.
    pub async fn audit_for_record(
        &self,
        org: OrganisationId,
        record_type: &str,
        record_id: &str,
    ) -> StoreResult<Vec<StoredEvent>> {
        let sql = format!(
            "select {EVENT_COLUMNS} where e.organisation_id = $1 and e.record_type = $2 and e.record_id = $3 order by e.sequence"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(org.0)
                .bind(record_type)
                .bind(record_id)
                .fetch_all(p)
                .await?;
            rows.iter().map(event_from).collect()
        })
    }
}

/// The id of the key the chain is made with, as recorded, if any.
pub async fn recorded_key(tx: &mut Tx) -> StoreResult<Option<String>> {
    on_tx!(tx, |c| {
        Ok(sqlx::query_scalar("select key_id from audit_key")
            .fetch_optional(&mut *c)
            .await?)
    })
}

/// Records the id of the key the chain is made with.
pub async fn record_key(tx: &mut Tx, key_id: &str, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("insert into audit_key (key_id, recorded_at) values ($1, $2)")
            .bind(key_id)
            .bind(now_ms)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Holds an organisation's head for the rest of the transaction, so no
/// event is appended to its chain meanwhile (on any instance).
pub async fn hold_head(tx: &mut Tx, org: OrganisationId) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update audit_head set last_sequence = last_sequence where organisation_id = $1",
        )
        .bind(org.0)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// An event rewritten as keyed: its field names, hashes and values.
#[derive(Debug, Clone)]
pub struct KeyedEvent<'a> {
    /// Its organisation.
    pub organisation_id: OrganisationId,
    /// Its place in the chain.
    pub sequence: i64,
    /// The names of the fields changed (JSON array).
    pub fields: &'a str,
    /// The values it held, now kept beside it.
    pub values: &'a str,
    /// The keyed hash of those values.
    pub values_hash: &'a str,
    /// The previous event's keyed hash.
    pub prev_hash: &'a str,
    /// Its keyed hash.
    pub hash: &'a str,
}

/// Rewrites a plain event as keyed (the one-time conversion of a verified chain).
pub async fn rewrite_keyed(tx: &mut Tx, e: &KeyedEvent<'_>) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "update audit_event set changes = $1, values_hash = $2, prev_hash = $3, hash = $4, chain = $5 \
             where organisation_id = $6 and sequence = $7 and chain = $8",
        )
        .bind(e.fields)
        .bind(e.values_hash)
        .bind(e.prev_hash)
        .bind(e.hash)
        .bind(CHAIN_KEYED)
        .bind(e.organisation_id.0)
        .bind(e.sequence)
        .bind(candour_domain::audit::CHAIN_PLAIN)
        .execute(&mut *c)
        .await?;
        sqlx::query(
            "insert into audit_values (organisation_id, sequence, changes) values ($1, $2, $3)",
        )
        .bind(e.organisation_id.0)
        .bind(e.sequence)
        .bind(e.values)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Sets the hash an organisation's head records as its last.
pub async fn set_head_hash(tx: &mut Tx, org: OrganisationId, hash: &str) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update audit_head set last_hash = $1 where organisation_id = $2")
            .bind(hash)
            .bind(org.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// The id of the key the chain is made with, as recorded, if any.
    pub async fn recorded_audit_key(&self) -> StoreResult<Option<String>> {
        on_read!(self, |p| {
            Ok(sqlx::query_scalar("select key_id from audit_key")
                .fetch_optional(p)
                .await?)
        })
    }

    /// Organisations whose chains still hold plain (unkeyed) events.
    pub async fn plain_chains(&self) -> StoreResult<Vec<OrganisationId>> {
        on_read!(self, |p| {
            let rows =
                sqlx::query("select distinct organisation_id from audit_event where chain = $1")
                    .bind(candour_domain::audit::CHAIN_PLAIN)
                    .fetch_all(p)
                    .await?;
            rows.iter()
                .map(|r| Ok(OrganisationId(r.uuid("organisation_id")?)))
                .collect()
        })
    }

    /// Where an organisation's chain ends by its head: (last sequence, last hash).
    pub async fn audit_head(&self, org: OrganisationId) -> StoreResult<Option<(i64, String)>> {
        on_read!(self, |p| {
            Ok(sqlx::query_as(
                "select last_sequence, last_hash from audit_head where organisation_id = $1",
            )
            .bind(org.0)
            .fetch_optional(p)
            .await?)
        })
    }
}
