//! Shared devices trusted for quick sign-in, people's PINs, and PIN attempts.

use super::{PortableRow, Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::{OrganisationId, ServiceId, UserId};
use uuid::Uuid;

/// A device trusted for a service.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustedDevice {
    /// Its id.
    pub device_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// The service it is trusted for.
    pub service_id: ServiceId,
    /// What the manager called it ("Ground floor tablet").
    pub label: String,
    /// Who trusted it.
    pub created_by_name: String,
    /// When, epoch ms.
    pub created_at_ms: i64,
    /// Last quick sign-in, epoch ms.
    pub last_used_at_ms: Option<i64>,
    /// When it was revoked, if it was.
    pub revoked_at_ms: Option<i64>,
}

/// A new trusted device.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDevice<'a> {
    /// Its id.
    pub device_id: Uuid,
    /// Organisation.
    pub organisation_id: OrganisationId,
    /// Service.
    pub service_id: ServiceId,
    /// Label.
    pub label: &'a str,
    /// SHA-256 of the device's secret.
    pub token_hash: &'a str,
    /// Who trusted it.
    pub created_by: UserId,
}

/// Stores a newly trusted device.
pub async fn insert_device(tx: &mut Tx, d: &NewDevice<'_>, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into trusted_device (device_id, organisation_id, service_id, label, token_hash, created_by, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(d.device_id)
        .bind(d.organisation_id.0)
        .bind(d.service_id.0)
        .bind(d.label)
        .bind(d.token_hash)
        .bind(d.created_by.0)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Revokes a device of a service and ends every session opened on it;
/// returns whether a live device was revoked.
pub async fn revoke_device(
    tx: &mut Tx,
    service: ServiceId,
    device: Uuid,
    by: UserId,
    now_ms: i64,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        let n = sqlx::query(
            "update trusted_device set revoked_at = $1, revoked_by = $2 where device_id = $3 and service_id = $4 and revoked_at is null",
        )
        .bind(now_ms)
        .bind(by.0)
        .bind(device)
        .bind(service.0)
        .execute(&mut *c)
        .await?
        .rows_affected();
        sqlx::query("delete from user_session where device_id = $1")
            .bind(device)
            .execute(&mut *c)
            .await?;
        n
    });
    Ok(n == 1)
}

/// Records a quick sign-in on a device.
pub async fn touch_device(tx: &mut Tx, device: Uuid, now_ms: i64) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update trusted_device set last_used_at = $1 where device_id = $2")
            .bind(now_ms)
            .bind(device)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Sets (or replaces) a person's PIN, with no failures counted.
pub async fn set_pin(
    tx: &mut Tx,
    org: OrganisationId,
    user: UserId,
    hash: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into user_pin (user_id, organisation_id, pin_hash, failures, created_at) values ($1, $2, $3, 0, $4) \
             on conflict (user_id) do update set pin_hash = $3, failures = 0, created_at = $4",
        )
        .bind(user.0)
        .bind(org.0)
        .bind(hash)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Turns a person's PIN off; returns whether they had one.
pub async fn delete_pin(tx: &mut Tx, user: UserId) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query("delete from user_pin where user_id = $1")
            .bind(user.0)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Counts one more try of a person's PIN, before it is checked, unless it
/// has had [`MAX_PIN_FAILURES`](candour_domain::pin::MAX_PIN_FAILURES)
/// already: returns the PIN's hash and the tries in a row now, or `None`
/// when they have no PIN or it is used up. The row's lock makes concurrent
/// tries count one after another on both engines.
pub async fn add_pin_failure(
    tx: &mut Tx,
    user: UserId,
    most: i64,
) -> StoreResult<Option<(String, i64)>> {
    on_tx!(tx, |c| {
        let row = sqlx::query(
            "update user_pin set failures = failures + 1 where user_id = $1 and failures < $2 returning pin_hash, failures",
        )
        .bind(user.0)
        .bind(most)
        .fetch_optional(&mut *c)
        .await?;
        match row {
            Some(r) => Ok(Some((r.text("pin_hash")?, r.int("failures")?))),
            None => Ok(None),
        }
    })
}

/// Clears the wrong-PIN count after a right PIN, if the PIN is still the one
/// that was checked (a wrong try meanwhile may have turned it off); returns
/// whether it was.
pub async fn clear_pin_failures(tx: &mut Tx, user: UserId, hash: &str) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query("update user_pin set failures = 0 where user_id = $1 and pin_hash = $2")
            .bind(user.0)
            .bind(hash)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    Ok(n == 1)
}

/// Records a PIN attempt on a device as wrong, before the PIN is checked
/// (for throttling the device); returns its id for [`mark_pin_attempt_right`].
pub async fn insert_pin_attempt(
    tx: &mut Tx,
    device: Uuid,
    user: Option<UserId>,
    now_ms: i64,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into pin_attempt (pin_attempt_id, device_id, user_id, succeeded, attempted_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(device)
        .bind(user.map(|u| u.0))
        .bind(false)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(id)
}

/// Marks a PIN attempt right.
pub async fn mark_pin_attempt_right(tx: &mut Tx, attempt: Uuid) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("update pin_attempt set succeeded = $1 where pin_attempt_id = $2")
            .bind(true)
            .bind(attempt)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// Wrong PINs on a device since `since_ms`: (count, latest). Read inside the
/// transaction that records the next, after [`Tx::serialise_on`] the device.
pub async fn device_failures(
    tx: &mut Tx,
    device: Uuid,
    since_ms: i64,
) -> StoreResult<(i64, Option<i64>)> {
    on_tx!(tx, |c| {
        let r = sqlx::query(
            "select count(*) as n, max(attempted_at) as latest from pin_attempt where device_id = $1 and succeeded = $2 and attempted_at >= $3",
        )
        .bind(device)
        .bind(false)
        .bind(since_ms)
        .fetch_one(&mut *c)
        .await?;
        Ok((r.int("n")?, r.opt_int("latest")?))
    })
}

const DEVICE_SELECT: &str = "select d.device_id, d.organisation_id, d.service_id, d.label, u.display_name, d.created_at, d.last_used_at, d.revoked_at \
    from trusted_device d join app_user u on u.user_id = d.created_by";

fn device_from(r: &impl PortableRow) -> StoreResult<TrustedDevice> {
    Ok(TrustedDevice {
        device_id: r.uuid("device_id")?,
        organisation_id: OrganisationId(r.uuid("organisation_id")?),
        service_id: ServiceId(r.uuid("service_id")?),
        label: r.text("label")?,
        created_by_name: r.text("display_name")?,
        created_at_ms: r.int("created_at")?,
        last_used_at_ms: r.opt_int("last_used_at")?,
        revoked_at_ms: r.opt_int("revoked_at")?,
    })
}

impl Store {
    /// The device whose secret hashes to `hash`, revoked or not.
    pub async fn device_by_token(&self, hash: &str) -> StoreResult<Option<TrustedDevice>> {
        let sql = format!("{DEVICE_SELECT} where d.token_hash = $1");
        on_read!(self, |p| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(hash)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(device_from).transpose()
        })
    }

    /// A service's devices, newest first.
    pub async fn devices(&self, service: ServiceId) -> StoreResult<Vec<TrustedDevice>> {
        let sql = format!(
            "{DEVICE_SELECT} where d.service_id = $1 order by d.created_at desc, d.device_id desc"
        );
        on_read!(self, |p| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(service.0)
                .fetch_all(p)
                .await?;
            rows.iter().map(device_from).collect()
        })
    }

    /// A person's PIN hash and wrong guesses in a row, if they have a PIN.
    pub async fn pin(&self, user: UserId) -> StoreResult<Option<(String, i64)>> {
        on_read!(self, |p| {
            let row = sqlx::query("select pin_hash, failures from user_pin where user_id = $1")
                .bind(user.0)
                .fetch_optional(p)
                .await?;
            match row {
                Some(r) => Ok(Some((r.text("pin_hash")?, r.int("failures")?))),
                None => Ok(None),
            }
        })
    }

    /// The people of an organisation who have a PIN.
    pub async fn users_with_pin(&self, org: OrganisationId) -> StoreResult<Vec<UserId>> {
        on_read!(self, |p| {
            let rows = sqlx::query("select user_id from user_pin where organisation_id = $1")
                .bind(org.0)
                .fetch_all(p)
                .await?;
            rows.iter()
                .map(|r| Ok(UserId(r.uuid("user_id")?)))
                .collect()
        })
    }
}
