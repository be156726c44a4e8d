//! Second factors: each account's authenticator secret, its recovery
//! codes (hashes only) and the challenges between a right password and a
//! right code (hashes only).

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{OrganisationId, UserId};

/// An account's authenticator secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// The secret, base32.
    pub secret: String,
    /// When a code from it was first typed: until then it is being set up.
    pub confirmed_at_ms: Option<i64>,
    /// The last step whose code was accepted.
    pub last_used_step: Option<i64>,
}

/// Sets `user`'s secret afresh (not yet confirmed), removing any earlier
/// one and its recovery codes.
pub async fn replace_secret(
    tx: &mut Tx,
    (user, org): (UserId, OrganisationId),
    secret: &str,
    now_ms: i64,
) -> StoreResult<()> {
    delete_second_factor(tx, user).await?;
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into second_factor (user_id, organisation_id, secret, created_at) values ($1, $2, $3, $4)",
        )
        .bind(user.0)
        .bind(org.0)
        .bind(secret)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Removes `user`'s second factor and recovery codes; true when there was one.
pub async fn delete_second_factor(tx: &mut Tx, user: UserId) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query("delete from recovery_code where user_id = $1")
            .bind(user.0)
            .execute(&mut *c)
            .await?;
        sqlx::query("delete from second_factor where user_id = $1")
            .bind(user.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(n > 0)
}

/// Records that the code of `step` was accepted (and, the first time, that
/// the secret is confirmed), if no later or equal step was: true when this
/// call recorded it (of two uses of one code at once, one wins).
pub async fn use_step(tx: &mut Tx, user: UserId, step: i64, now_ms: i64) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update second_factor set last_used_step = $1, confirmed_at = coalesce(confirmed_at, $2) \
             where user_id = $3 and (last_used_step is null or last_used_step < $1)",
        )
        .bind(step)
        .bind(now_ms)
        .bind(user.0)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Keeps new recovery codes (their hashes) for `user`, replacing any.
pub async fn replace_recovery_codes(
    tx: &mut Tx,
    user: UserId,
    hashes: &[String],
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from recovery_code where user_id = $1")
            .bind(user.0)
            .execute(&mut *c)
            .await?;
        for h in hashes {
            sqlx::query(
                "insert into recovery_code (user_id, code_hash, created_at) values ($1, $2, $3)",
            )
            .bind(user.0)
            .bind(h)
            .bind(now_ms)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// Uses up a recovery code: true when it was one of `user`'s, unused.
pub async fn use_recovery_code(
    tx: &mut Tx,
    user: UserId,
    hash: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update recovery_code set used_at = $1 where user_id = $2 and code_hash = $3 and used_at is null",
        )
        .bind(now_ms)
        .bind(user.0)
        .bind(hash)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Keeps a challenge (its hash) for `user` from `ip` until `expires_ms`.
pub async fn insert_challenge(
    tx: &mut Tx,
    hash: &str,
    (user, ip): (UserId, &str),
    (now_ms, expires_ms): (i64, i64),
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into sign_in_challenge (challenge_hash, user_id, client_ip, created_at, expires_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(hash)
        .bind(user.0)
        .bind(ip)
        .bind(now_ms)
        .bind(expires_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Ends a challenge.
pub async fn delete_challenge(tx: &mut Tx, hash: &str) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from sign_in_challenge where challenge_hash = $1")
            .bind(hash)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

impl Store {
    /// `user`'s second factor, if one is set or being set up.
    pub async fn second_factor(&self, user: UserId) -> StoreResult<Option<SecondFactor>> {
        on_read!(self, |p| {
            match sqlx::query(
                "select secret, confirmed_at, last_used_step from second_factor where user_id = $1",
            )
            .bind(user.0)
            .fetch_optional(p)
            .await?
            {
                Some(r) => Ok(Some(SecondFactor {
                    secret: r.text("secret")?,
                    confirmed_at_ms: r.opt_int("confirmed_at")?,
                    last_used_step: r.opt_int("last_used_step")?,
                })),
                None => Ok(None),
            }
        })
    }

    /// The account a challenge (by hash) belongs to while it lasts, at `now_ms`.
    pub async fn challenge(&self, hash: &str, now_ms: i64) -> StoreResult<Option<UserId>> {
        on_read!(self, |p| {
            match sqlx::query(
                "select user_id from sign_in_challenge where challenge_hash = $1 and expires_at > $2",
            )
            .bind(hash)
            .bind(now_ms)
            .fetch_optional(p)
            .await?
            {
                Some(r) => Ok(Some(UserId(r.uuid("user_id")?))),
                None => Ok(None),
            }
        })
    }

    /// Which of `org`'s accounts have a confirmed second factor.
    pub async fn with_second_factor(
        &self,
        org: OrganisationId,
    ) -> StoreResult<std::collections::HashSet<UserId>> {
        on_read!(self, |p| {
            let rows = sqlx::query(
                "select user_id from second_factor where organisation_id = $1 and confirmed_at is not null",
            )
            .bind(org.0)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| Ok(UserId(r.uuid("user_id")?)))
                .collect()
        })
    }
}
