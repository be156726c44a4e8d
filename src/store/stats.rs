//! How much the database holds (row counts of the main tables and its size
//! on disk, for the benchmark's record of what it measured), and the
//! planner's statistics refreshed after a bulk load.

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

    /// Refreshes the statistics the query planner chooses indexes by, as
    /// after a bulk load, and nightly on SQLite (see `jobs`). BACKEND
    /// DIFFERENCE: SQLite reads every index in full (2 s on 2,000,000
    /// incidents): sampled with `analysis_limit`, it saw one organisation
    /// in its first thousand rows and judged `organisation_id = ?` to pick
    /// a thousand incidents, not all of them, so queries walked the whole
    /// organisation through that index (the board report took 6.8 s, not
    /// 1.3 s). PostgreSQL samples its own way.
    pub async fn analyse(&self) -> StoreResult<()> {
        match self.backend() {
            Backend::Sqlite { write, .. } => {
                let mut c = write.acquire().await?;
                sqlx::query("pragma analysis_limit = 0")
                    .execute(&mut *c)
                    .await?;
                sqlx::query("analyze").execute(&mut *c).await?;
            }
            Backend::Postgres(p) => {
                // A bare ANALYZE reads every schema of the database (a
                // shared one holds many): name this schema's tables.
                let tables: Option<String> = sqlx::query_scalar(
                    "select string_agg(quote_ident(tablename), ', ') from pg_tables where schemaname = current_schema()",
                )
                .fetch_one(p)
                .await?;
                if let Some(list) = tables {
                    sqlx::query(sqlx::AssertSqlSafe(format!("analyze {list}")))
                        .execute(p)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// How many indexes the planner holds statistics for (SQLite: rows of
    /// `sqlite_stat1`, none before the first [`Store::analyse`];
    /// PostgreSQL: the columns of this schema's tables it has analysed).
    pub async fn planner_statistics(&self) -> StoreResult<i64> {
        Ok(match self.backend() {
            Backend::Sqlite { read, .. } => {
                let exists: i64 = sqlx::query_scalar(
                    "select count(*) from sqlite_master where name = 'sqlite_stat1'",
                )
                .fetch_one(read)
                .await?;
                if exists == 0 {
                    0
                } else {
                    sqlx::query_scalar("select count(*) from sqlite_stat1")
                        .fetch_one(read)
                        .await?
                }
            }
            Backend::Postgres(p) => {
                sqlx::query_scalar(
                    "select count(*) from pg_stats where schemaname = current_schema()",
                )
                .fetch_one(p)
                .await?
            }
        })
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
