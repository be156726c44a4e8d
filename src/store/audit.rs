//! The append-only, hash-chained audit trail.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::audit::{AuditContent, GENESIS_HASH, StoredEvent, chain_hash};
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

/// Appends an event to its organisation's chain, inside the caller's transaction.
pub async fn append(tx: &mut Tx, e: &NewAuditEvent<'_>) -> StoreResult<i64> {
    let (sequence, prev_hash): (i64, String) = on_tx!(tx, |c| {
        sqlx::query(
            "insert into audit_head (organisation_id, last_sequence, last_hash) values ($1, 0, $2) on conflict (organisation_id) do nothing",
        )
        .bind(e.organisation_id.0)
        .bind(GENESIS_HASH)
        .execute(&mut *c)
        .await?;
        // The update takes the row lock, so concurrent writers chain one after another.
        sqlx::query_as(
            "update audit_head set last_sequence = last_sequence + 1 where organisation_id = $1 returning last_sequence, last_hash",
        )
        .bind(e.organisation_id.0)
        .fetch_one(&mut *c)
        .await?
    });
    let content = AuditContent {
        sequence,
        occurred_at_ms: e.occurred_at_ms,
        actor: e.actor,
        action: e.action,
        record_type: e.record_type,
        record_id: e.record_id,
        changes: e.changes,
    };
    let hash = chain_hash(&prev_hash, &content);
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
        .bind(&prev_hash)
        .bind(&hash)
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

fn event_from(r: &impl PortableRow) -> StoreResult<StoredEvent> {
    Ok(StoredEvent {
        sequence: r.int("sequence")?,
        occurred_at_ms: r.int("occurred_at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        record_type: r.text("record_type")?,
        record_id: r.text("record_id")?,
        changes: r.text("changes")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

const EVENT_COLUMNS: &str =
    "sequence, occurred_at, actor, action, record_type, record_id, changes, prev_hash, hash";

impl Store {
    /// Up to `limit` events of an organisation's chain after `after_sequence`, in order.
    pub async fn audit_page(
        &self,
        org: OrganisationId,
        after_sequence: i64,
        limit: i64,
    ) -> StoreResult<Vec<StoredEvent>> {
        let sql = format!(
            "select {EVENT_COLUMNS} from audit_event where organisation_id = $1 and sequence > $2 order by sequence limit $3"
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
            "select {EVENT_COLUMNS} from audit_event where organisation_id = $1 and record_type = $2 and record_id = $3 order by sequence"
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
