//! Per-organisation counters behind human-readable numbers
//! (`INC-000123` for incidents, `P-000045` for people).

use super::{StoreResult, Tx, on_tx};
use candour_domain::ids::OrganisationId;

/// Reserves `count` consecutive numbers of `prefix` in `org` and returns the
/// first. The row lock (PostgreSQL) or the write lock (SQLite) makes
/// concurrent callers take turns, so no number is handed out twice.
pub async fn reserve_numbers(
    tx: &mut Tx,
    org: OrganisationId,
    prefix: &str,
    count: i64,
) -> StoreResult<i64> {
    let last: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "insert into reference_counter (organisation_id, prefix, last_value) values ($1, $2, $3) \
             on conflict (organisation_id, prefix) do update set last_value = reference_counter.last_value + $3 \
             returning last_value",
        )
        .bind(org.0)
        .bind(prefix)
        .bind(count)
        .fetch_one(&mut *c)
        .await?
    });
    Ok(last - count + 1)
}
