//! The floor submission stands on: single-row durable insert transactions
//! straight into the same database engine, on the same disk, with a row
//! the size of a report, through a pool shaped as Candour's own (SQLite:
//! one writer, WAL, synchronous=FULL; PostgreSQL: 16 connections, its
//! default durable commit).

use crate::load::{Loop, Op, closed_loop};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// A row's text: about as long as a report's words and answers.
fn body() -> String {
    "Found on the floor beside the bed at 03:10 by the night carer; said they had got up to use \
     the toilet without their frame. Checked for injury, a small bruise on the left hip, no head \
     strike seen. Helped up with the hoist, observations taken and normal. Sensor mat checked. "
        .repeat(2)
}

/// A pool on either engine.
#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs `$body` with `$p` bound to the pool, compiled once per engine.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

impl Pool {
    async fn open(url: &str) -> anyhow::Result<Pool> {
        Ok(if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30));
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await?,
            )
        } else {
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .connect(url)
                    .await?,
            )
        })
    }

    async fn execute(&self, sql: &'static str) -> anyhow::Result<()> {
        on_pool!(self, |p| sqlx::query(sql).execute(p).await.map(|_| ()))?;
        Ok(())
    }

    /// One row in its own committed transaction.
    async fn insert_one(&self) -> anyhow::Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            sqlx::query("insert into bench_floor (id, organisation_id, body, created_at) values ($1, $2, $3, $4)")
                .bind(uuid::Uuid::now_v7())
                .bind(uuid::Uuid::nil())
                .bind(body())
                .bind(jiff::Timestamp::now().as_millisecond())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn close(&self) {
        on_pool!(self, |p| p.close().await);
    }
}

/// Measures the floor at each of `levels` concurrent writers for `time` each.
pub async fn measure(url: &str, levels: &[usize], time: Duration) -> anyhow::Result<Vec<Loop>> {
    let pool = Pool::open(url).await?;
    // BACKEND DIFFERENCE: ids are blobs on SQLite, uuids on PostgreSQL.
    pool.execute(match pool {
        Pool::Sqlite(_) => {
            "create table if not exists bench_floor (id blob primary key, organisation_id blob not null, \
             body text not null, created_at integer not null)"
        }
        Pool::Postgres(_) => {
            "create table if not exists bench_floor (id uuid primary key, organisation_id uuid not null, \
             body text not null, created_at bigint not null)"
        }
    })
    .await?;
    let mut out = Vec::new();
    for &clients in levels {
        let pool = pool.clone();
        let op: Op = Arc::new(move |_| {
            let pool = pool.clone();
            Box::pin(async move { pool.insert_one().await })
        });
        out.push(closed_loop(clients, time, op).await?);
    }
    pool.execute("drop table bench_floor").await?;
    pool.close().await;
    Ok(out)
}
