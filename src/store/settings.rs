//! Instance-wide settings stored in the database (such as the demo marker).

use super::{Store, StoreResult, Tx, on_read, on_tx};

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
