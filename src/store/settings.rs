//! Settings stored in the database: instance-wide (such as the demo marker)
//! and per organisation (timescales, risk bands, added non-working days).

use super::{Store, StoreResult, Tx, on_read, on_tx};
use candour_domain::ids::OrganisationId;
use candour_domain::organisation::Nation;

/// Sets `key` to `value`, replacing any earlier value.
pub async fn put_setting(tx: &mut Tx, key: &str, value: &str) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into app_setting (setting_key, setting_value) values ($1, $2) \
             on conflict (setting_key) do update set setting_value = excluded.setting_value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// The value of `key`, if set.
    pub async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        on_read!(self, |p| {
            Ok(
                sqlx::query_scalar("select setting_value from app_setting where setting_key = $1")
                    .bind(key)
                    .fetch_optional(p)
                    .await?,
            )
        })
    }
}

/// Sets an organisation's setting `key` to `value` (JSON), replacing any earlier one.
pub async fn put_org_setting(
    tx: &mut Tx,
    org: OrganisationId,
    key: &str,
    value: &str,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into organisation_setting (organisation_id, setting_key, setting_value, updated_at) values ($1, $2, $3, $4) \
             on conflict (organisation_id, setting_key) do update set setting_value = excluded.setting_value, updated_at = excluded.updated_at",
        )
        .bind(org.0)
        .bind(key)
        .bind(value)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Adds a non-working day to an organisation's calendar for a nation.
pub async fn insert_extra_holiday(
    tx: &mut Tx,
    org: OrganisationId,
    nation: Nation,
    day: jiff::civil::Date,
    label: &str,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into extra_holiday (organisation_id, nation, day, label) values ($1, $2, $3, $4) \
             on conflict (organisation_id, nation, day) do update set label = excluded.label",
        )
        .bind(org.0)
        .bind(nation.code())
        .bind(day.to_string())
        .bind(label)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Removes a day an organisation added; false if there was none.
pub async fn delete_extra_holiday(
    tx: &mut Tx,
    org: OrganisationId,
    nation: Nation,
    day: jiff::civil::Date,
) -> StoreResult<bool> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
            "delete from extra_holiday where organisation_id = $1 and nation = $2 and day = $3",
        )
        .bind(org.0)
        .bind(nation.code())
        .bind(day.to_string())
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

impl Store {
    /// An organisation's setting `key`, if set.
    pub async fn org_setting(&self, org: OrganisationId, key: &str) -> StoreResult<Option<String>> {
        on_read!(self, |p| {
            Ok(sqlx::query_scalar(
                "select setting_value from organisation_setting where organisation_id = $1 and setting_key = $2",
            )
            .bind(org.0)
            .bind(key)
            .fetch_optional(p)
            .await?)
        })
    }

    /// The days an organisation added to a nation's bank holidays, with their names.
    pub async fn extra_holidays(
        &self,
        org: OrganisationId,
        nation: Nation,
    ) -> StoreResult<Vec<(jiff::civil::Date, String)>> {
        let rows: Vec<(String, String)> = on_read!(self, |p| {
            sqlx::query_as(
                "select day, label from extra_holiday where organisation_id = $1 and nation = $2 order by day",
            )
            .bind(org.0)
            .bind(nation.code())
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|(d, l)| {
                d.parse()
                    .map(|d| (d, l))
                    .map_err(|e| super::StoreError::Corrupt(format!("holiday {d:?}: {e}")))
            })
            .collect()
    }
}

/// Sets whether a person gets the daily digest.
pub async fn set_digest_subscription(
    tx: &mut Tx,
    org: OrganisationId,
    user: candour_domain::ids::UserId,
    subscribed: bool,
    now_ms: i64,
) -> StoreResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "insert into digest_subscription (user_id, organisation_id, subscribed, updated_at) values ($1, $2, $3, $4) \
             on conflict (user_id) do update set subscribed = excluded.subscribed, updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(org.0)
        .bind(subscribed)
        .bind(now_ms)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

impl Store {
    /// Whether a person chose to get the daily digest (`None`: they have not chosen).
    pub async fn digest_subscription(
        &self,
        user: candour_domain::ids::UserId,
    ) -> StoreResult<Option<bool>> {
        on_read!(self, |p| {
            Ok(
                sqlx::query_scalar("select subscribed from digest_subscription where user_id = $1")
                    .bind(user.0)
                    .fetch_optional(p)
                    .await?,
            )
        })
    }
}
