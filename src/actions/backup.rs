//! Backing up the database while Candour runs, and restoring a backup:
//! refusing to overwrite what should not be, and checking what comes back.

use super::{ActionError, ActionResult};
use crate::store::backup::{Counts, check_sqlite_backup, restore_into};
use crate::store::{Engine, Store, engine_of};
use candour_domain::validation::FieldErrors;
use std::path::Path;

fn invalid(field: &str, message: String) -> ActionError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    ActionError::Invalid(e)
}

/// Writes a consistent copy of the database at `url` (opened as `store`)
/// to `to`, a file that must not exist yet; returns what the copy holds
/// (SQLite: read from the copy itself, once SQLite has checked it; PostgreSQL:
/// the database as the dump began).
pub async fn back_up(store: &Store, url: &str, to: &Path) -> ActionResult<Counts> {
    if to.exists() {
        return Err(invalid(
            "to",
            format!(
                "{} already exists: back up to a new file, so no earlier backup is overwritten",
                to.display()
            ),
        ));
    }
    let before = store.counts().await?;
    store.back_up_to(url, to).await?;
    if store.engine() == Engine::Sqlite {
        let problems = check_sqlite_backup(to).await?;
        if !problems.is_empty() {
            return Err(ActionError::Internal(anyhow::anyhow!(
                "the backup {} is not sound: {}",
                to.display(),
                problems.join("; ")
            )));
        }
        let copy = Store::connect(&format!("sqlite://{}", to.display()))
            .await
            .map_err(ActionError::Internal)?;
        let counts = copy.counts().await?;
        copy.close().await;
        return Ok(counts);
    }
    Ok(before)
}

/// Puts the backup `from` in place of the database at `url`. Refuses when
/// that database already holds data unless `force`; checks a SQLite backup
/// before anything is replaced. The caller then opens, migrates and checks
/// the restored database ([`check_restored`]).
pub async fn restore(url: &str, from: &Path, force: bool) -> ActionResult<()> {
    if !from.is_file() {
        return Err(invalid(
            "from",
            format!("there is no backup file at {}", from.display()),
        ));
    }
    if engine_of(url) == Some(Engine::Sqlite) {
        let problems = check_sqlite_backup(from).await?;
        if !problems.is_empty() {
            return Err(invalid(
                "from",
                format!(
                    "{} cannot be restored: {}",
                    from.display(),
                    problems.join("; ")
                ),
            ));
        }
    }
    let target = Store::connect(url).await.map_err(ActionError::Internal)?;
    let holds = target.holds_data().await;
    let counts = match holds {
        Ok(true) => Some(target.counts().await?),
        Ok(false) => None,
        Err(e) => {
            target.close().await;
            return Err(e.into());
        }
    };
    target.close().await;
    if let Some(counts) = counts
        && !force
    {
        return Err(ActionError::Refused(vec![format!(
            "The database already holds data ({counts}): restoring would replace it all. Add --force if that is what you mean"
        )]));
    }
    restore_into(url, from).await?;
    Ok(())
}

/// What a restored database was found to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// What it holds.
    pub counts: Counts,
    /// Problems SQLite found in the file.
    pub integrity: Vec<String>,
    /// Attachments whose bytes do not match their SHA-256: (incident id, name).
    pub damaged_attachments: Vec<(uuid::Uuid, String)>,
    /// Each organisation's audit chain: (organisation, events, break).
    pub chains: Vec<super::audit::ChainReport>,
}

impl Restored {
    /// Whether everything checked out.
    pub fn sound(&self) -> bool {
        self.integrity.is_empty()
            && self.damaged_attachments.is_empty()
            && self.chains.iter().all(|c| c.broken.is_none())
    }
}

/// Checks a restored database, opened with its audit key: the engine's own
/// integrity check, every attachment against its SHA-256, every audit chain.
pub async fn check_restored(store: &Store) -> ActionResult<Restored> {
    Ok(Restored {
        counts: store.counts().await?,
        integrity: store.integrity_problems().await?,
        damaged_attachments: store.damaged_attachments().await?,
        chains: super::audit::verify_all(store, &[]).await?,
    })
}
