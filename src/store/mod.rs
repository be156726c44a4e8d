//! All SQL lives here. One code path for SQLite and PostgreSQL.
//!
//! Each store function holds one portable SQL string with `$1` placeholders
//! (sqlx's SQLite driver reads `$N` as the N-th argument) and is compiled
//! once per concrete sqlx driver by the [`on_tx!`] and [`on_read!`] macros, so
//! native `Uuid` binds work on both engines and no query exists twice.
//! Backend differences are few, and each is marked `// BACKEND DIFFERENCE:`.
//!
//! Writes go through [`Tx`], a transaction on either engine. On SQLite there
//! is one writer connection and every write transaction starts with
//! `BEGIN IMMEDIATE`, so writers queue instead of failing on upgrade.

pub mod account_links;
pub mod addenda;
pub mod alerts;
pub mod anonymous;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod backup;
pub mod board_reports;
pub mod breaches;
pub mod bulk;
pub mod classification;
pub mod counters;
pub mod devices;
pub mod drafts;
pub mod duty_steps;
pub mod feedback;
pub mod housekeeping;
pub mod idempotency;
pub mod improvement;
pub mod incidents;
pub mod investigations;
pub mod involvements;
pub mod learning;
pub mod lessons;
pub mod meetings;
pub mod migrations;
pub mod notifications;
pub mod openness;
pub mod organisations;
pub mod outbox;
pub mod people;
pub mod reports;
pub mod retention;
pub mod risk;
pub mod safety_cross;
pub mod second_factor;
pub mod sessions;
pub mod settings;
pub mod speaking_up;
pub mod stats;
pub mod subject_access;
pub mod tokens;
pub mod trend_data;
pub mod triage;
pub mod users;
pub mod workflow;

use candour_domain::audit::AuditKey;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Row, Sqlite, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// Errors from the storage layer. sqlx errors are mapped here, once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row matched.
    #[error("not found")]
    NotFound,
    /// A uniqueness or check constraint refused the write.
    #[error("conflict on {constraint}")]
    Conflict {
        /// The constraint or column that was violated, as the engine named it.
        constraint: String,
    },
    /// The database could not take the work in time (SQLite's write lock
    /// held too long elsewhere, no connection free, a lock wait or statement
    /// timeout on PostgreSQL): nothing was written; worth trying again soon.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// A stored value could not be read back as its Rust type.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// Anything else: connection lost, disk full, a bug in SQL.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Whether a database error means "busy, try again" rather than a fault:
/// SQLite's BUSY and LOCKED (any extended code), and PostgreSQL's lock
/// timeout, statement timeout, serialisation failure and deadlock.
fn is_busy(db: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = db.code() else {
        return false;
    };
    match code.parse::<i64>() {
        // BACKEND DIFFERENCE: SQLite's codes are numbers, PostgreSQL's SQLSTATEs.
        Ok(n) => matches!(n & 0xff, 5 | 6),
        Err(_) => matches!(code.as_ref(), "55P03" | "57014" | "40001" | "40P01"),
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut => StoreError::Busy("no connection was free".to_owned()),
            sqlx::Error::Database(ref db) if is_busy(db.as_ref()) => {
                StoreError::Busy(db.message().to_owned())
            }
            sqlx::Error::Database(ref db)
                if db.is_unique_violation()
                    || db.is_foreign_key_violation()
                    || db.is_check_violation() =>
            {
                StoreError::Conflict {
                    constraint: db
                        .constraint()
                        .map(str::to_owned)
                        .unwrap_or_else(|| db.message().to_owned()),
                }
            }
            other => StoreError::Other(other.into()),
        }
    }
}

/// Result alias for store functions.
pub type StoreResult<T> = Result<T, StoreError>;

/// The two engines, each with its concrete pools.
#[derive(Clone, Debug)]
pub enum Backend {
    /// SQLite: one writer connection, several readers, WAL.
    Sqlite {
        /// The single writer connection.
        write: SqlitePool,
        /// Read-only work.
        read: SqlitePool,
    },
    /// PostgreSQL: one pool.
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// The key the audit chain is made with (kept outside the database);
    /// without one, nothing that is audited can be written.
    audit_key: Option<Arc<AuditKey>>,
}

/// A write transaction on either engine, carrying the audit key for the
/// events it appends. Dropped without `commit`, it rolls back.
pub enum Tx {
    /// SQLite, begun with `BEGIN IMMEDIATE`.
    Sqlite(sqlx::Transaction<'static, Sqlite>, Option<Arc<AuditKey>>),
    /// PostgreSQL.
    Postgres(sqlx::Transaction<'static, Postgres>, Option<Arc<AuditKey>>),
}

/// Runs `$body` with `$c` bound to the transaction's connection, compiled once per engine.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t, _) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// Runs `$body` with `$p` bound to a read pool, compiled once per engine.
macro_rules! on_read {
    ($store:expr, |$p:ident| $body:expr) => {
        match $store.backend() {
            $crate::store::Backend::Sqlite { read: $p, .. } => $body,
            $crate::store::Backend::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_read;

/// `$first, $first+1, …` for `n` values bound in a list (`in (…)`).
pub(crate) fn placeholders(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How many ids one `in (…)` list reads at a time when many are read.
pub(crate) const IDS_PER_READ: usize = 500;

impl Store {
    /// Rows for many incidents, [`IDS_PER_READ`] at a time: `sql` holds
    /// `{ids}` where the `in (…)` list goes, after `$1` when `org` is given,
    /// and each row is read with `row`. Rows come in `sql`'s order within
    /// a batch; batches follow `ids`.
    pub(crate) async fn rows_of_incidents<T>(
        &self,
        sql: &str,
        org: Option<candour_domain::ids::OrganisationId>,
        ids: &[candour_domain::ids::IncidentId],
        row: impl Fn(&dyn PortableRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let ids: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        self.in_batches(sql, (org, None), &ids, row).await
    }

    /// Rows for many ids of `org`, [`IDS_PER_READ`] at a time: `sql` holds
    /// `{ids}` where the `in (…)` list goes, after `$1` (the organisation)
    /// and `$2` when `also` is given; each row is read with `row`, in no set
    /// order across batches.
    pub(crate) async fn rows_of_ids<T>(
        &self,
        sql: &str,
        (org, also): (candour_domain::ids::OrganisationId, Option<i64>),
        ids: &[Uuid],
        row: impl Fn(&dyn PortableRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.in_batches(sql, (Some(org), also), ids, row).await
    }

    /// Both of the above: `$1` the organisation when given, then `also`, then the ids.
    async fn in_batches<T>(
        &self,
        sql: &str,
        (org, also): (Option<candour_domain::ids::OrganisationId>, Option<i64>),
        ids: &[Uuid],
        row: impl Fn(&dyn PortableRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let first = 1 + usize::from(org.is_some()) + usize::from(also.is_some());
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_READ) {
            let sql = sql.replace("{ids}", &placeholders(chunk.len(), first));
            let found = on_read!(self, |p| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
                if let Some(org) = org {
                    q = q.bind(org.0);
                }
                if let Some(v) = also {
                    q = q.bind(v);
                }
                for id in chunk {
                    q = q.bind(*id);
                }
                let rows = q.fetch_all(p).await?;
                rows.iter()
                    .map(|r| row(r))
                    .collect::<StoreResult<Vec<_>>>()?
            });
            out.extend(found);
        }
        Ok(out)
    }
}

/// How long a SQLite write waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// `sqlite://…`
    Sqlite,
    /// `postgres://…` or `postgresql://…`
    Postgres,
}

/// Reads the engine from a database URL's scheme.
pub fn engine_of(url: &str) -> Option<Engine> {
    if url.starts_with("sqlite:") {
        Some(Engine::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Some(Engine::Postgres)
    } else {
        None
    }
}

impl Store {
    /// Opens the database named by `url`, creating a SQLite file (and its folder) when missing.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        match engine_of(url) {
            Some(Engine::Sqlite) => Self::connect_sqlite(url).await,
            Some(Engine::Postgres) => {
                let opts = PgConnectOptions::from_str(url)?;
                Self::connect_postgres(opts).await
            }
            None => anyhow::bail!("the URL must start with sqlite:// or postgres://"),
        }
    }

    async fn connect_sqlite(url: &str) -> anyhow::Result<Store> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a report acknowledged to a user survives power loss.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(SQLITE_BUSY_TIMEOUT);
        let path = opts.get_filename().to_owned();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", dir.display()))?;
        }
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Store {
            backend: Backend::Sqlite { write, read },
            audit_key: None,
        })
    }

    /// Opens PostgreSQL with explicit options (tests use this to pick a schema).
    pub async fn connect_postgres(opts: PgConnectOptions) -> anyhow::Result<Store> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts.options([("statement_timeout", "30s")]))
            .await?;
        Ok(Store {
            backend: Backend::Postgres(pool),
            audit_key: None,
        })
    }

    /// The engine in use.
    pub fn engine(&self) -> Engine {
        match self.backend {
            Backend::Sqlite { .. } => Engine::Sqlite,
            Backend::Postgres(_) => Engine::Postgres,
        }
    }

    /// The concrete pools (for the macros).
    pub fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> StoreResult<Tx> {
        let key = self.audit_key.clone();
        Ok(match &self.backend {
            // BACKEND DIFFERENCE: SQLite takes the write lock up front so a
            // reader never has to upgrade (which would fail with SQLITE_BUSY).
            Backend::Sqlite { write, .. } => {
                Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?, key)
            }
            Backend::Postgres(pool) => Tx::Postgres(pool.begin().await?, key),
        })
    }

    /// The same handle, appending audit events with `key`.
    pub fn with_audit_key(mut self, key: AuditKey) -> Store {
        self.audit_key = Some(Arc::new(key));
        self
    }

    /// The key the audit chain is made with, if one was given.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_deref()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> StoreResult<()> {
        on_read!(self, |p| {
            sqlx::query("select 1").execute(p).await?;
        });
        Ok(())
    }

    /// Whether the database answers and, on SQLite, whether the write lock
    /// can be had within a couple of seconds (another process may hold it).
    pub async fn ready(&self) -> StoreResult<()> {
        self.ping().await?;
        // BACKEND DIFFERENCE: on SQLite one lock guards every write, and it can
        // be held from outside this process; PostgreSQL has no such lock.
        if let Backend::Sqlite { write, .. } = &self.backend {
            let mut conn = write.acquire().await?;
            sqlx::query("pragma busy_timeout = 2000")
                .execute(&mut *conn)
                .await?;
            let took = sqlx::query("begin immediate").execute(&mut *conn).await;
            if took.is_ok() {
                sqlx::query("rollback").execute(&mut *conn).await?;
            }
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "pragma busy_timeout = {}",
                SQLITE_BUSY_TIMEOUT.as_millis()
            )))
            .execute(&mut *conn)
            .await?;
            took?;
        }
        Ok(())
    }

    /// Pool sizes for /metrics: (connections open, idle).
    pub fn pool_stats(&self) -> (u32, usize) {
        match &self.backend {
            Backend::Sqlite { write, read } => (
                write.size() + read.size(),
                write.num_idle() + read.num_idle(),
            ),
            Backend::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// Closes every connection (graceful shutdown; SQLite checkpoints its WAL).
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Backend::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    /// Makes the rest of this transaction the only one, on any instance,
    /// holding `key`: what it reads and then writes about `key` (counting
    /// attempts, then recording one) is one step, however many arrive at
    /// once. Released at commit or rollback.
    pub async fn serialise_on(&mut self, key: &str) -> StoreResult<()> {
        match self {
            // BACKEND DIFFERENCE: SQLite's write transactions already run one
            // at a time (BEGIN IMMEDIATE on the one writer connection, and
            // the database file's lock across processes).
            Tx::Sqlite(..) => {}
            Tx::Postgres(t, _) => {
                sqlx::query("select pg_advisory_xact_lock($1)")
                    .bind(advisory_key(key))
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }

    /// Makes every write durable. Only after this returns may a user be told "saved".
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t, _) => t.commit().await?,
            Tx::Postgres(t, _) => t.commit().await?,
        }
        Ok(())
    }

    /// The key audit events appended in this transaction are chained with.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        match self {
            Tx::Sqlite(_, k) | Tx::Postgres(_, k) => k.as_deref(),
        }
    }
}

/// PostgreSQL's advisory locks take a number: the first eight bytes of the
/// key's SHA-256, under a prefix of Candour's own.
fn advisory_key(key: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("candour:serialise:{key}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Reading a column the same way from either engine's row.
pub trait PortableRow {
    /// A UUID column.
    fn uuid(&self, col: &str) -> StoreResult<Uuid>;
    /// A nullable UUID column.
    fn opt_uuid(&self, col: &str) -> StoreResult<Option<Uuid>>;
    /// A text column.
    fn text(&self, col: &str) -> StoreResult<String>;
    /// A nullable text column.
    fn opt_text(&self, col: &str) -> StoreResult<Option<String>>;
    /// An integer column.
    fn int(&self, col: &str) -> StoreResult<i64>;
    /// A nullable integer column.
    fn opt_int(&self, col: &str) -> StoreResult<Option<i64>>;
    /// A boolean column.
    fn boolean(&self, col: &str) -> StoreResult<bool>;
}

macro_rules! portable_row {
    ($row:ty) => {
        impl PortableRow for $row {
            fn uuid(&self, col: &str) -> StoreResult<Uuid> {
                Ok(self.try_get(col)?)
            }
            fn opt_uuid(&self, col: &str) -> StoreResult<Option<Uuid>> {
                Ok(self.try_get(col)?)
            }
            fn text(&self, col: &str) -> StoreResult<String> {
                Ok(self.try_get(col)?)
            }
            fn opt_text(&self, col: &str) -> StoreResult<Option<String>> {
                Ok(self.try_get(col)?)
            }
            fn int(&self, col: &str) -> StoreResult<i64> {
                Ok(self.try_get(col)?)
            }
            fn opt_int(&self, col: &str) -> StoreResult<Option<i64>> {
                Ok(self.try_get(col)?)
            }
            fn boolean(&self, col: &str) -> StoreResult<bool> {
                Ok(self.try_get(col)?)
            }
        }
    };
}
portable_row!(sqlx::sqlite::SqliteRow);
portable_row!(sqlx::postgres::PgRow);

/// Parses a stored code into an enum, or reports the row as corrupt.
pub fn parse_code<T>(value: &str, parse: fn(&str) -> Option<T>, what: &str) -> StoreResult<T> {
    parse(value).ok_or_else(|| StoreError::Corrupt(format!("unknown {what} code {value:?}")))
}

/// Converts a stored epoch-millisecond instant.
pub fn millis_to_ts(ms: i64) -> StoreResult<jiff::Timestamp> {
    jiff::Timestamp::from_millisecond(ms).map_err(|e| StoreError::Corrupt(e.to_string()))
}
