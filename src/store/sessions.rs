//! Browser sessions and login attempts (for throttling).

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{OrganisationId, UserId};

/// A live session as looked up from its cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// The signed-in user.
    pub user_id: UserId,
    /// Their organisation.
    pub organisation_id: OrganisationId,
    /// When the session was created.
    pub created_at_ms: i64,
    /// Last request seen.
    pub last_seen_at_ms: i64,
    /// Absolute end.
    pub expires_at_ms: i64,
    /// The trusted device it was opened on with a PIN; `None` for a password.
    pub device_id: Option<uuid::Uuid>,
}

/// Stores a new session under the hash of its secret.
pub async fn insert_session(tx: &mut Tx, hash: &str, s: &SessionRow) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into user_session (session_hash, user_id, organisation_id, created_at, last_seen_at, expires_at, device_id) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(hash)
        .bind(s.user_id.0)
        .bind(s.organisation_id.0)
        .bind(s.created_at_ms)
        .bind(s.last_seen_at_ms)
        .bind(s.expires_at_ms)
        .bind(s.device_id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Ends one session.
pub async fn delete_session(tx: &mut Tx, hash: &str) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from user_session where session_hash = $1")
            .bind(hash)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Ends every session of a user (after a password change or reset).
pub async fn delete_user_sessions(tx: &mut Tx, user: UserId) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("delete from user_session where user_id = $1")
            .bind(user.0)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Records `last_seen_at`.
pub async fn touch_session(tx: &mut Tx, hash: &str, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update user_session set last_seen_at = $1 where session_hash = $2")
            .bind(now_ms)
            .bind(hash)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Records an attempt to sign in as failed, before its password is checked
/// (so that concurrent attempts count each other); returns its id for
/// [`mark_login_succeeded`].
pub async fn insert_login_attempt(
    tx: &mut Tx,
    email: &str,
    ip: &str,
    now_ms: i64,
) -> StoreResult<uuid::Uuid> {
    let id = uuid::Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into login_attempt (login_attempt_id, email, client_ip, succeeded, attempted_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(email)
        .bind(ip)
        .bind(false)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Marks an attempt good once its password proved right.
pub async fn mark_login_succeeded(tx: &mut Tx, attempt: uuid::Uuid) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update login_attempt set succeeded = $1 where login_attempt_id = $2")
            .bind(true)
            .bind(attempt)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Failed attempts for `email` since the later of `since_ms` and its last
/// success: (count, latest). Read inside the transaction that records the
/// next attempt, after [`Tx::serialise_on`] the account.
pub async fn account_failures(
    tx: &mut Tx,
    email: &str,
    since_ms: i64,
) -> StoreResult<(i64, Option<i64>)> {
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "select count(*) as n, max(attempted_at) as latest from login_attempt \
             where email = $1 and succeeded = $2 and attempted_at >= $3 \
             and attempted_at > coalesce((select max(attempted_at) from login_attempt where email = $1 and succeeded = $4), 0)",
        )
        .bind(email)
        .bind(false)
        .bind(since_ms)
        .bind(true)
        .fetch_one(&mut *c)
        .await?;
        Ok((r.int("n")?, r.opt_int("latest")?))
    })
}

/// From `ip` since `since_ms`: how many different accounts had a failed
/// attempt, and when the latest attempt of any kind was made.
pub async fn address_failures(
    tx: &mut Tx,
    ip: &str,
    since_ms: i64,
) -> StoreResult<(i64, Option<i64>)> {
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "select count(distinct case when succeeded = $2 then email end) as n, max(attempted_at) as latest \
             from login_attempt where client_ip = $1 and attempted_at >= $3",
        )
        .bind(ip)
        .bind(false)
        .bind(since_ms)
        .fetch_one(&mut *c)
        .await?;
        Ok((r.int("n")?, r.opt_int("latest")?))
    })
}

impl Store {
    /// The session stored under `hash`, if any.
    pub async fn session(&self, hash: &str) -> StoreResult<Option<SessionRow>> {
        on_read!(self, |p| {
            match sqlx::query(
                "select user_id, organisation_id, created_at, last_seen_at, expires_at, device_id from user_session where session_hash = $1",
            )
            .bind(hash)
            .fetch_optional(p)
            .await?
            {
                Some(r) => Ok(Some(SessionRow {
                    user_id: UserId(r.uuid("user_id")?),
                    organisation_id: OrganisationId(r.uuid("organisation_id")?),
                    created_at_ms: r.int("created_at")?,
                    last_seen_at_ms: r.int("last_seen_at")?,
                    expires_at_ms: r.int("expires_at")?,
                    device_id: r.opt_uuid("device_id")?,
                })),
                None => Ok(None),
            }
        })
    }
}
