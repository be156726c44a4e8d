//! Personal API tokens, stored only as hashes.

use super::{PortableRow, Store, StoreError, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{ApiTokenId, OrganisationId, UserId};

/// A token's stored record (never the secret).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiToken {
    /// Its id.
    pub api_token_id: ApiTokenId,
    /// The owner.
    pub user_id: UserId,
    /// The owner's organisation.
    pub organisation_id: OrganisationId,
    /// What the owner called it.
    pub label: String,
    /// When it was created.
    pub created_at_ms: i64,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
}

fn token_from(r: &impl PortableRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        api_token_id: ApiTokenId(r.uuid("api_token_id")?),
        user_id: UserId(r.uuid("user_id")?),
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        label: r.text("label")?,
        created_at_ms: r.int("created_at")?,
        revoked_at_ms: r.opt_int("revoked_at")?,
    })
}

/// Stores a token under the hash of its secret.
pub async fn insert_token(tx: &mut Tx, t: &ApiToken, hash: &str) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into api_token (api_token_id, organisation_id, user_id, label, token_hash, created_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(t.api_token_id.0)
        .bind(t.organisation_id.0)
        .bind(t.user_id.0)
        .bind(&t.label)
        .bind(hash)
        .bind(t.created_at_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Revokes a token of `user`; `NotFound` when it is not theirs or already revoked.
pub async fn revoke_token(
    tx: &mut Tx,
    user: UserId,
    id: ApiTokenId,
    now_ms: i64,
) -> StoreResult<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query("update api_token set revoked_at = $1 where api_token_id = $2 and user_id = $3 and revoked_at is null")
            .bind(now_ms)
            .bind(id.0)
            .bind(user.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Revokes every live token of `user`; returns their ids.
pub async fn revoke_all_tokens(
    tx: &mut Tx,
    user: UserId,
    now_ms: i64,
) -> StoreResult<Vec<ApiTokenId>> {
    on_tx!(tx, |c| {
        let rows = sqlx::query(
            "update api_token set revoked_at = $1 where user_id = $2 and revoked_at is null returning api_token_id",
        )
        .bind(now_ms)
        .bind(user.0)
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| Ok(ApiTokenId(r.uuid("api_token_id")?)))
            .collect()
    })
}

impl Store {
    /// The unrevoked token stored under `hash`.
    pub async fn live_token(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        on_read!(self, |p| {
            match sqlx::query(
                "select api_token_id, user_id, organisation_id, label, created_at, revoked_at from api_token where token_hash = $1 and revoked_at is null",
            )
            .bind(hash)
            .fetch_optional(p)
            .await?
            {
                Some(r) => Ok(Some(token_from(&r)?)),
                None => Ok(None),
            }
        })
    }

    /// A user's tokens, newest first.
    pub async fn tokens_of(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select api_token_id, user_id, organisation_id, label, created_at, revoked_at from api_token where user_id = $1 order by created_at desc",
            )
            .bind(user.0)
            .fetch_all(p)
            .await?;
            rows.iter().map(token_from).collect()
        })
    }
}
