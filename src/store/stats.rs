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
                self.align_search_index().await?;
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

    /// SQLite: checks that each row of the text index has its incident's
    /// rowid (word search asks it by rowid, migration 0042) and, if
    /// anything has moved them, rebuilds it; `true` when it did. Reads
    /// every row of both (seconds on 2,000,000 reports), so it runs with
    /// the nightly statistics. PostgreSQL has nothing to align: `false`.
    pub async fn align_search_index(&self) -> StoreResult<bool> {
        let Backend::Sqlite { read, .. } = self.backend() else {
            return Ok(false);
        };
        let (texts, incidents, strays): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from incident_search), (select count(*) from incident), \
             (select count(*) from incident_search f left join incident i on i.rowid = f.rowid \
              where i.incident_id is null or i.incident_id <> f.incident_id)",
        )
        .fetch_one(read)
        .await?;
        if texts == incidents && strays == 0 {
            return Ok(false);
        }
        tracing::warn!(
            texts,
            incidents,
            strays,
            "the text index no longer matches the incidents' rowids: rebuilding it"
        );
        let mut tx = self.begin().await?;
        let t = &mut tx;
        super::on_tx!(t, |c| {
            sqlx::query("delete from incident_search")
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "insert into incident_search (rowid, body, incident_id, organisation_id) \
                 select rowid, description || ' ' || immediate_actions, incident_id, organisation_id from incident",
            )
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await?;
        Ok(true)
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
