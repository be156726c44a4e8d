//! `candour backup` and `candour restore`.

use super::{DatabaseArg, Resolved, open_store, redact};
use crate::actions::backup::{back_up, check_restored, restore};
use crate::store::Store;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// `candour backup`
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The file to write (it must not exist yet). SQLite: a database file;
    /// PostgreSQL: a pg_dump archive.
    #[arg(long)]
    to: PathBuf,
}

/// `candour restore`
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// A file made by `candour backup`.
    #[arg(long)]
    from: PathBuf,
    /// Replace a database that already holds data.
    #[arg(long)]
    force: bool,
}

/// Backs the database up while it is in use.
pub async fn run_backup(a: BackupArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let url = resolved.database_url(&a.db);
    // No migration and no audit key: a backup copies what is there, as it is.
    let store = Store::connect(&url)
        .await
        .map_err(|e| anyhow::anyhow!("could not open the database {}: {e}", redact(&url)))?;
    let counts = back_up(&store, &url, &a.to)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    println!(
        "Backed up {} to {}: {counts}.",
        redact(&url),
        a.to.display()
    );
    println!("Keep the audit key file apart from it: a restore needs both.");
    Ok(ExitCode::SUCCESS)
}

/// Restores a backup, then migrates it and checks it.
pub async fn run_restore(a: RestoreArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let url = resolved.database_url(&a.db);
    restore(&url, &a.from, a.force)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("Restored {} into {}.", a.from.display(), redact(&url));
    let store = open_store(&url, resolved)
        .await
        .map_err(|e| anyhow::anyhow!("the backup was restored, but could not be checked: {e}"))?;
    let checked = check_restored(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    println!("It holds {}.", checked.counts);
    for p in &checked.integrity {
        println!("SQLite found a problem in the file: {p}");
    }
    for (incident, name) in &checked.damaged_attachments {
        println!("The attachment {name} of incident {incident} does not match its SHA-256.");
    }
    for c in &checked.chains {
        match &c.broken {
            None => println!(
                "Organisation {}: {} audit events, chain intact.",
                c.organisation_id, c.checked
            ),
            Some(b) => println!(
                "Organisation {}: audit chain BROKEN after {} good events: {b}.",
                c.organisation_id, c.checked
            ),
        }
    }
    if checked.sound() {
        println!("Every attachment matches its SHA-256.");
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(2))
    }
}
