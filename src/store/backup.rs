//! Backing up and restoring the whole database, each engine its own way.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy of the database as of one
//! moment while the server carries on writing; a restore checks the copy
//! (`pragma integrity_check`) and puts it in place of the database file.
//! PostgreSQL: `pg_dump` (custom format, one snapshot) and `pg_restore`, the
//! engine's own tools, found on the PATH; a dump is checked by listing it.

use super::{Backend, Engine, PortableRow, Store, StoreError, StoreResult, engine_of, on_read};
use sha2::{Digest, Sha256};
use std::path::Path;

/// What a database holds, to say after a backup or restore.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Organisations.
    pub organisations: i64,
    /// People using services.
    pub people: i64,
    /// Staff accounts.
    pub users: i64,
    /// Incidents, near misses and good practice.
    pub incidents: i64,
    /// Photos and documents.
    pub attachments: i64,
    /// Audit events.
    pub audit_events: i64,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use candour_domain::display::count_of;
        write!(
            f,
            "{}, {}, {}, {}, {}, {}",
            count_of(self.organisations, "organisation", "organisations"),
            count_of(self.people, "person", "people"),
            count_of(self.users, "staff account", "staff accounts"),
            count_of(self.incidents, "report", "reports"),
            count_of(self.attachments, "attachment", "attachments"),
            count_of(self.audit_events, "audit event", "audit events"),
        )
    }
}

fn tool_error(what: &str, e: std::io::Error) -> StoreError {
    StoreError::Other(anyhow::anyhow!(
        "could not run {what} (PostgreSQL's own tool, from its client package): {e}"
    ))
}

/// PostgreSQL's tools take the URL as it is, but a search path given in its
/// options (the schema Candour uses) also limits what is dumped.
fn schema_of(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let options = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("options="))?;
    let options = options
        .replace("%20", " ")
        .replace("%3D", "=")
        .replace("%3d", "=");
    options
        .split("search_path=")
        .nth(1)
        .and_then(|rest| rest.split([' ', ',']).next())
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

async fn run_tool(what: &str, command: &mut tokio::process::Command) -> StoreResult<()> {
    let out = command.output().await.map_err(|e| tool_error(what, e))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(StoreError::Other(anyhow::anyhow!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

impl Store {
    /// Writes a consistent copy of the whole database to `path` as of one
    /// moment, while others go on writing. `url` is the database's own URL
    /// (PostgreSQL's tools connect by it).
    pub async fn back_up_to(&self, url: &str, path: &Path) -> StoreResult<()> {
        match self.backend() {
            // BACKEND DIFFERENCE: SQLite copies itself; PostgreSQL has pg_dump.
            Backend::Sqlite { read, .. } => {
                let target = path.to_string_lossy().into_owned();
                sqlx::query("vacuum into $1")
                    .bind(target)
                    .execute(read)
                    .await?;
                Ok(())
            }
            Backend::Postgres(_) => {
                let mut dump = tokio::process::Command::new("pg_dump");
                dump.arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--file")
                    .arg(path);
                if let Some(schema) = schema_of(url) {
                    dump.arg("--schema").arg(schema);
                }
                dump.arg("--dbname").arg(url);
                run_tool("pg_dump", &mut dump).await?;
                // A dump that cannot be listed cannot be restored.
                let mut list = tokio::process::Command::new("pg_restore");
                list.arg("--list").arg(path);
                run_tool("pg_restore --list", &mut list).await
            }
        }
    }

    /// Whether the database holds any organisation (a schema not yet made counts as empty).
    pub async fn holds_data(&self) -> StoreResult<bool> {
        let found: Result<Option<uuid::Uuid>, sqlx::Error> = on_read!(self, |p| {
            sqlx::query_scalar("select organisation_id from organisation limit 1")
                .fetch_optional(p)
                .await
        });
        match found {
            Ok(o) => Ok(o.is_some()),
            // No organisation table: nothing was ever migrated here.
            Err(sqlx::Error::Database(e)) if e.message().contains("organisation") => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// What the database holds.
    pub async fn counts(&self) -> StoreResult<Counts> {
        let sql = "select \
            (select count(*) from organisation) as organisations, \
            (select count(*) from person) as people, \
            (select count(*) from app_user) as users, \
            (select count(*) from incident) as incidents, \
            (select count(*) from attachment) as attachments, \
            (select count(*) from audit_event) as audit_events";
        on_read!(self, |p| {
            let r = sqlx::query(sql).fetch_one(p).await?;
            Ok(Counts {
                organisations: r.int("organisations")?,
                people: r.int("people")?,
                users: r.int("users")?,
                incidents: r.int("incidents")?,
                attachments: r.int("attachments")?,
                audit_events: r.int("audit_events")?,
            })
        })
    }

    /// Problems SQLite finds in its own file (`pragma integrity_check`);
    /// empty when sound, and always empty on PostgreSQL.
    pub async fn integrity_problems(&self) -> StoreResult<Vec<String>> {
        match self.backend() {
            // BACKEND DIFFERENCE: PostgreSQL checks its pages as it reads them.
            Backend::Postgres(_) => Ok(Vec::new()),
            Backend::Sqlite { read, .. } => {
                let rows: Vec<String> = sqlx::query_scalar("pragma integrity_check")
                    .fetch_all(read)
                    .await?;
                Ok(rows.into_iter().filter(|r| r != "ok").collect())
            }
        }
    }

    /// Attachments whose bytes no longer match the SHA-256 kept when they
    /// were added: (incident id, file name) of each, a batch at a time.
    pub async fn damaged_attachments(&self) -> StoreResult<Vec<(uuid::Uuid, String)>> {
        let mut damaged = Vec::new();
        let mut after = uuid::Uuid::nil();
        loop {
            let batch: Vec<(uuid::Uuid, uuid::Uuid, String, Vec<u8>, String)> = on_read!(
                self,
                |p| {
                    let rows = sqlx::query(
                        "select attachment_id, incident_id, file_name, content, sha256 from attachment \
                         where attachment_id > $1 order by attachment_id limit 50",
                    )
                    .bind(after)
                    .fetch_all(p)
                    .await?;
                    rows.iter()
                        .map(|r| {
                            Ok((
                                r.uuid("attachment_id")?,
                                r.uuid("incident_id")?,
                                r.text("file_name")?,
                                sqlx::Row::try_get::<Vec<u8>, _>(r, "content")?,
                                r.text("sha256")?,
                            ))
                        })
                        .collect::<StoreResult<Vec<_>>>()?
                }
            );
            let Some(last) = batch.last() else {
                break;
            };
            after = last.0;
            for (_, incident, name, bytes, sha) in batch {
                if hex::encode(Sha256::digest(&bytes)) != sha {
                    damaged.push((incident, name));
                }
            }
        }
        Ok(damaged)
    }
}

/// Puts a backup in place of the database at `url`: for SQLite, the backup
/// file is checked, copied beside the database and moved into its place (so
/// a reader never sees half a file), and the old database's journal files
/// removed; for PostgreSQL, `pg_restore` into the database `url` names,
/// replacing what is there. The caller has checked it may.
pub async fn restore_into(url: &str, backup: &Path) -> StoreResult<()> {
    match engine_of(url) {
        // BACKEND DIFFERENCE: a SQLite database is a file; PostgreSQL restores from a dump.
        Some(Engine::Sqlite) => {
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            let target = options.get_filename().to_owned();
            let copy =
                target.with_extension(format!("restoring-{}", uuid::Uuid::now_v7().simple()));
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(e.into()))?;
            }
            std::fs::copy(backup, &copy).map_err(|e| {
                StoreError::Other(anyhow::anyhow!(
                    "could not copy {} beside the database: {e}",
                    backup.display()
                ))
            })?;
            for suffix in ["-wal", "-shm"] {
                let journal = format!("{}{suffix}", target.display());
                let _ = std::fs::remove_file(journal);
            }
            std::fs::rename(&copy, &target).map_err(|e| StoreError::Other(e.into()))?;
            Ok(())
        }
        Some(Engine::Postgres) => {
            let mut restore = tokio::process::Command::new("pg_restore");
            restore
                .arg("--clean")
                .arg("--if-exists")
                .arg("--no-owner")
                .arg("--single-transaction")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(url)
                .arg(backup);
            run_tool("pg_restore", &mut restore).await
        }
        None => Err(StoreError::Other(anyhow::anyhow!(
            "the URL must start with sqlite:// or postgres://"
        ))),
    }
}

/// Whether `path` is a SQLite database that SQLite finds sound, with
/// Candour's tables in it; the problems when it is not.
pub async fn check_sqlite_backup(path: &Path) -> StoreResult<Vec<String>> {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&options)
        .await
        .map_err(|e| {
            StoreError::Other(anyhow::anyhow!(
                "{} is not a SQLite database: {e}",
                path.display()
            ))
        })?;
    let mut problems: Vec<String> = sqlx::query_scalar("pragma integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| {
            StoreError::Other(anyhow::anyhow!(
                "{} is not a SQLite database: {e}",
                path.display()
            ))
        })?;
    problems.retain(|p| p != "ok");
    let migrated: Option<i64> = sqlx::query_scalar("select max(version) from schema_migration")
        .fetch_optional(&mut conn)
        .await
        .unwrap_or(None);
    if migrated.is_none() {
        problems.push("it holds no Candour database (no schema_migration table)".to_owned());
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::schema_of;

    #[test]
    fn the_schema_comes_from_the_search_path_in_the_options() {
        assert_eq!(
            schema_of("postgres://u@h/db?options=-c%20search_path%3Dt_123"),
            Some("t_123".to_owned())
        );
        assert_eq!(schema_of("postgres://u@h/db"), None);
        assert_eq!(schema_of("postgres://u@h/db?sslmode=require"), None);
    }
}
