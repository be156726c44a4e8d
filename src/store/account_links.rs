//! One-time links to set a password (invitations and password resets), and
//! the requests for a reset made from the sign-in page. Only a link's
//! secret's hash is stored.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{OrganisationId, UserId};
use uuid::Uuid;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new member of staff sets their first password.
    Invitation,
    /// Someone who forgot their password, or whose manager sent it, sets a new one.
    Reset,
}

impl LinkPurpose {
    fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// A link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLink {
    /// Its id.
    pub link_id: Uuid,
    /// The organisation.
    pub organisation_id: OrganisationId,
    /// Whose password it sets.
    pub user_id: UserId,
    /// What it is for.
    pub purpose: LinkPurpose,
    /// Who made it; `None` for a reset asked for at sign-in.
    pub created_by: Option<UserId>,
    /// When, epoch ms.
    pub created_at_ms: i64,
    /// When it stops working, epoch ms.
    pub expires_at_ms: i64,
    /// When it was used, if it was.
    pub used_at_ms: Option<i64>,
    /// When a newer link or a withdrawal replaced it, if one did.
    pub withdrawn_at_ms: Option<i64>,
}

impl AccountLink {
    /// Whether it still works at `now_ms`.
    pub fn open_at(&self, now_ms: i64) -> bool {
        self.used_at_ms.is_none() && self.withdrawn_at_ms.is_none() && now_ms < self.expires_at_ms
    }
}

const LINK_COLUMNS: &str = "link_id, organisation_id, user_id, purpose, created_by, created_at, expires_at, used_at, withdrawn_at";

fn link_from(r: &impl PortableRow) -> StoreResult<AccountLink> {
    Ok(AccountLink {
        link_id: r.uuid("link_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        user_id: UserId(r.uuid("user_id")?),
        purpose: if r.text("purpose")? == "invitation" {
            LinkPurpose::Invitation
        } else {
            LinkPurpose::Reset
        },
        created_by: r.opt_uuid("created_by")?.map(UserId),
        created_at_ms: r.int("created_at")?,
        expires_at_ms: r.int("expires_at")?,
        used_at_ms: r.opt_int("used_at")?,
        withdrawn_at_ms: r.opt_int("withdrawn_at")?,
    })
}

/// Stores a new link (its secret's hash) and withdraws the account's older
/// open links, so only the newest works.
pub async fn insert_link(tx: &mut Tx, link: &AccountLink, secret_hash: &str) -> StoreResult<()> {
    withdraw_links(tx, link.user_id, link.created_at_ms).await?;
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into account_link (link_id, organisation_id, user_id, purpose, secret_hash, created_by, created_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(link.link_id)
        .bind(link.organisation_id.0)
        .bind(link.user_id.0)
        .bind(link.purpose.code())
        .bind(secret_hash)
        .bind(link.created_by.map(|u| u.0))
        .bind(link.created_at_ms)
        .bind(link.expires_at_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Withdraws every open link of `user`; returns how many.
pub async fn withdraw_links(tx: &mut Tx, user: UserId, now_ms: i64) -> StoreResult<u64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query(
            "update account_link set withdrawn_at = $1 \
             where user_id = $2 and used_at is null and withdrawn_at is null",
        )
        .bind(now_ms)
        .bind(user.0)
        .execute(&mut *c)
        .await?
        .rows_affected()
    }))
}

/// Marks a link used, if it is still open at `now_ms`: true when this call
/// used it (of two at once, one wins).
pub async fn use_link(tx: &mut Tx, link: Uuid, now_ms: i64) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "update account_link set used_at = $1 \
             where link_id = $2 and used_at is null and withdrawn_at is null and expires_at > $1",
        )
        .bind(now_ms)
        .bind(link)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// Records a request for a reset link from the sign-in page.
pub async fn insert_reset_request(
    tx: &mut Tx,
    email: &str,
    client_ip: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into password_reset_request (request_id, email, client_ip, requested_at) values ($1, $2, $3, $4)",
        )
        .bind(Uuid::now_v7())
        .bind(email)
        .bind(client_ip)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// How many reset requests were made since `since_ms` for `email`, and
/// from `client_ip`.
pub async fn reset_requests_since(
    tx: &mut Tx,
    email: &str,
    client_ip: &str,
    since_ms: i64,
) -> StoreResult<(i64, i64)> {
    Ok(on_tx!(tx, |c| {
        let r = sqlx::query(
            "select (select count(*) from password_reset_request where email = $1 and requested_at >= $3) as by_email, \
                    (select count(*) from password_reset_request where client_ip = $2 and requested_at >= $3) as by_client",
        )
        .bind(email)
        .bind(client_ip)
        .bind(since_ms)
        .fetch_one(&mut *c)
        .await?;
        (r.int("by_email")?, r.int("by_client")?)
    }))
}

impl Store {
    /// The link whose secret hashes to `hash`, used or not.
    pub async fn link_by_hash(&self, hash: &str) -> StoreResult<Option<AccountLink>> {
        let sql = format!("select {LINK_COLUMNS} from account_link where secret_hash = $1");
        on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(hash)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Ok(Some(link_from(&r)?)),
                None => Ok(None),
            }
        })
    }

    /// The newest link made for `user`, if any.
    pub async fn latest_link(&self, user: UserId) -> StoreResult<Option<AccountLink>> {
        let sql = format!(
            "select {LINK_COLUMNS} from account_link where user_id = $1 \
             order by created_at desc, link_id desc limit 1"
        );
        on_read!(self, |p| {
            match sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(user.0)
                .fetch_optional(p)
                .await?
            {
                Some(r) => Ok(Some(link_from(&r)?)),
                None => Ok(None),
            }
        })
    }
}
