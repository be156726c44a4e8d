//! Schema migrations, embedded in the binary.
//!
//! Two folders, `migrations/sqlite` and `migrations/postgres`, hold one file
//! per version with the same number and name in both; a test fails when the
//! folders or this list drift apart. Each version is applied once, in its own
//! transaction, and recorded in `schema_migration`.

use super::{Backend, Store, StoreResult, Tx, on_tx};

/// One migration: its version, name, and SQL for each engine.
pub struct Migration {
    /// Version number, from 1, the same in both folders.
    pub version: i64,
    /// The file name without the extension.
    pub name: &'static str,
    /// SQL for SQLite.
    pub sqlite: &'static str,
    /// SQL for PostgreSQL.
    pub postgres: &'static str,
}

/// One entry of [`MIGRATIONS`]: the same file name in both folders.
macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration in order.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_idempotency"),
    migration!(3, "0003_addenda"),
    migration!(4, "0004_incident_details"),
    migration!(5, "0005_anonymous"),
    migration!(6, "0006_told"),
    migration!(7, "0007_written_at"),
    migration!(8, "0008_entered_by"),
    migration!(9, "0009_attachments"),
    migration!(10, "0010_incident_staff"),
    migration!(11, "0011_feedback_and_outbox"),
    migration!(12, "0012_report_draft"),
    migration!(13, "0013_shared_devices"),
    migration!(14, "0014_public_submission"),
    migration!(15, "0015_triage"),
    migration!(16, "0016_sign_off"),
    migration!(17, "0017_breaches"),
    migration!(18, "0018_digest"),
    migration!(19, "0019_actions"),
    migration!(20, "0020_openness"),
    migration!(21, "0021_investigations"),
    migration!(22, "0022_search"),
    migration!(23, "0023_investigation_lead"),
    migration!(24, "0024_assessment"),
    migration!(25, "0025_duty_decision"),
    migration!(26, "0026_duty_steps"),
    migration!(27, "0027_duty_alerts"),
    migration!(28, "0028_legal_hold"),
    migration!(29, "0029_safety_cross_note"),
    migration!(30, "0030_risk_review"),
    migration!(31, "0031_lessons"),
    migration!(32, "0032_learning_meetings"),
    migration!(33, "0033_safety_alerts"),
    migration!(34, "0034_learning"),
    migration!(35, "0035_trend_changes_and_occupancy"),
    migration!(36, "0036_group_meetings"),
    migration!(37, "0037_incident_by_occurrence"),
    migration!(38, "0038_incident_tallies"),
    migration!(39, "0039_incident_awaiting_triage"),
    migration!(40, "0040_duty_state"),
    migration!(41, "0041_incident_by_organisation"),
    migration!(42, "0042_search_by_rowid"),
    migration!(43, "0043_meetings_by_organisation"),
    migration!(44, "0044_incident_under_review"),
    migration!(45, "0045_person_risk"),
    migration!(46, "0046_keyed_audit"),
    migration!(47, "0047_board_report_sent"),
    migration!(48, "0048_safeguarding_lead"),
    migration!(49, "0049_speaking_up"),
    migration!(50, "0050_last_sign_in"),
    migration!(51, "0051_account_links"),
    migration!(52, "0052_person_register"),
    migration!(53, "0053_second_factor"),
];

impl Store {
    /// Applies every migration not yet applied; returns how many were applied.
    pub async fn migrate(&self) -> StoreResult<usize> {
        self.migrate_up_to(i64::MAX).await
    }

    /// Applies the migrations not yet applied up to version `last` (tests
    /// use this to build an older schema and migrate data forward).
    pub async fn migrate_up_to(&self, last: i64) -> StoreResult<usize> {
        let mut applied = 0;
        {
            let mut tx = self.begin().await?;
            on_tx!(&mut tx, |c| {
                sqlx::query(
                    "create table if not exists schema_migration (version bigint primary key, name text not null, applied_at bigint not null)",
                )
                .execute(&mut *c)
                .await?;
            });
            tx.commit().await?;
        }
        for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
            let mut tx = self.begin().await?;
            // BACKEND DIFFERENCE: several PostgreSQL instances may start at
            // once; an advisory lock makes them migrate one after another.
            // SQLite's BEGIN IMMEDIATE already serialises writers.
            if let Tx::Postgres(t, _) = &mut tx {
                sqlx::query("select pg_advisory_xact_lock(7274001)")
                    .execute(&mut **t)
                    .await?;
            }
            let done: Option<i64> = on_tx!(&mut tx, |c| {
                sqlx::query_scalar("select version from schema_migration where version = $1")
                    .bind(m.version)
                    .fetch_optional(&mut *c)
                    .await?
            });
            if done.is_some() {
                continue;
            }
            let now = jiff::Timestamp::now().as_millisecond();
            on_tx!(&mut tx, |c| {
                let sql = match self.backend() {
                    Backend::Sqlite { .. } => m.sqlite,
                    Backend::Postgres(_) => m.postgres,
                };
                sqlx::raw_sql(sql).execute(&mut *c).await?;
                sqlx::query(
                    "insert into schema_migration (version, name, applied_at) values ($1, $2, $3)",
                )
                .bind(m.version)
                .bind(m.name)
                .bind(now)
                .execute(&mut *c)
                .await?;
            });
            tx.commit().await?;
            applied += 1;
        }
        Ok(applied)
    }

    /// Table and column names as the engine reports them, sorted, for the
    /// test that both engines end up with the same schema.
    pub async fn schema_outline(&self) -> StoreResult<Vec<(String, String)>> {
        // BACKEND DIFFERENCE: each engine describes its schema its own way.
        // SQLite's full-text tables (and their shadow tables) stand in for a
        // PostgreSQL index, so they are left out.
        let mut cols: Vec<(String, String)> =
            match self.backend() {
                Backend::Sqlite { read, .. } => {
                    sqlx::query_as(
                        "select m.name, p.name from sqlite_master m, pragma_table_info(m.name) p \
                     where m.type = 'table' and m.name not like 'sqlite_%' \
                     and not exists (select 1 from sqlite_master v where v.sql like 'create virtual table%' \
                     and (m.name = v.name or m.name like v.name || '\\_%' escape '\\'))",
                    )
                    .fetch_all(read)
                    .await?
                }
                Backend::Postgres(pool) => sqlx::query_as(
                    "select table_name::text, column_name::text from information_schema.columns \
                     where table_schema = current_schema()",
                )
                .fetch_all(pool)
                .await?,
            };
        cols.sort();
        Ok(cols)
    }
}
