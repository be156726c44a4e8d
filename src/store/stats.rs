//! How much the database holds: row counts of the main tables and its size
//! on disk, for the benchmark's record of what it measured.

use super::{Backend, Store, StoreResult, on_read};

/// The tables whose rows [`Store::row_counts`] counts, in its order.
pub const COUNTED: [&str; 9] = [
    "service",
    "person",
    "app_user",
    "incident",
    "incident_assessment",
    "investigation",
    "improvement_action",
    "learning_meeting",
    "lesson",
];

impl Store {
    /// The rows in each of [`COUNTED`], in that order.
    pub async fn row_counts(&self) -> StoreResult<Vec<i64>> {
        let mut out = Vec::new();
        for table in COUNTED {
            let sql = format!("select count(*) from {table}");
            let n: i64 = on_read!(self, |p| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                    .fetch_one(p)
                    .await?
            });
            out.push(n);
        }
        Ok(out)
    }

    /// The database's size in bytes (SQLite: its pages, not the WAL).
    pub async fn database_bytes(&self) -> StoreResult<i64> {
        Ok(match self.backend() {
            Backend::Sqlite { read, .. } => {
                sqlx::query_scalar(
                    "select page_count * page_size from pragma_page_count(), pragma_page_size()",
                )
                .fetch_one(read)
                .await?
            }
            Backend::Postgres(p) => {
                sqlx::query_scalar("select pg_database_size(current_database())")
                    .fetch_one(p)
                    .await?
            }
        })
    }
}
