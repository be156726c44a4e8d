//! Idempotency keys for report submission.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{IncidentId, OrganisationId, UserId};
use candour_domain::incident::IncidentReference;

/// A key already used: what it was used for.
#[derive(Debug, Clone, PartialEq)]
pub struct UsedKey {
    /// Hash of the request body it came with.
    pub request_hash: String,
    /// The report it made.
    pub incident_id: IncidentId,
    /// That report's reference.
    pub reference: IncidentReference,
}

/// Claims `key` for `user` inside the report's transaction. Returns false when
/// the key is already taken (on PostgreSQL a concurrent claim waits for the
/// first transaction to end, so exactly one claim wins).
pub async fn claim_key(
    tx: &mut Tx,
    user: UserId,
    key: &str,
    org: OrganisationId,
    request_hash: &str,
    incident: IncidentId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "insert into idempotency_key (user_id, idempotency_key, organisation_id, request_hash, incident_id, created_at) \
             values ($1, $2, $3, $4, $5, $6) on conflict (user_id, idempotency_key) do nothing",
        )
        .bind(user.0)
        .bind(key)
        .bind(org.0)
        .bind(request_hash)
        .bind(incident.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

impl Store {
    /// What `user` already used `key` for, if anything.
    pub async fn used_key(&self, user: UserId, key: &str) -> StoreResult<Option<UsedKey>> {
        on_read!(self, |p| {
            let row = sqlx::query(
                "select k.request_hash, k.incident_id, i.reference_number from idempotency_key k \
                 join incident i on i.incident_id = k.incident_id where k.user_id = $1 and k.idempotency_key = $2",
            )
            .bind(user.0)
            .bind(key)
            .fetch_optional(p)
            .await?;
            match row {
                Some(r) => Ok(Some(UsedKey {
                    request_hash: r.text("request_hash")?,
                    incident_id: IncidentId(r.uuid("incident_id")?),
                    reference: IncidentReference(r.int("reference_number")?),
                })),
                None => Ok(None),
            }
        })
    }
}
