//! `candour audit verify` and `candour audit checkpoint`: checking every
//! organisation's keyed hash chain (against its head and, when given, a
//! checkpoint kept elsewhere), and signing checkpoints to keep.

use super::{DatabaseArg, Resolved, open_store};
use crate::actions::audit::{checkpoints, verify_all};
use candour_domain::audit::Checkpoint;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// `candour audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit event was changed, removed, reordered or forged,
    /// and that none was removed from the end (against a kept checkpoint).
    Verify(VerifyArgs),
    /// Sign a checkpoint of every organisation's chain as it stands (JSON),
    /// to keep outside the database and give to `verify --checkpoint` later.
    Checkpoint(CheckpointArgs),
}

/// `candour audit verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// A checkpoint file made by `candour audit checkpoint`, kept elsewhere.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
}

/// `candour audit checkpoint`
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Write it to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs an audit subcommand; `verify` exits with 2 at a broken chain.
pub async fn run(cmd: AuditCommand, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify(a) => verify(a, resolved).await,
        AuditCommand::Checkpoint(a) => checkpoint(a, resolved).await,
    }
}

async fn verify(a: VerifyArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let kept: Vec<Checkpoint> = match &a.checkpoint {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("--checkpoint: cannot read {}: {e}", path.display())
            })?;
            serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!(
                    "--checkpoint: {} is not a checkpoint file made by `candour audit checkpoint`: {e}",
                    path.display()
                )
            })?
        }
        None => Vec::new(),
    };
    let store = open_store(&resolved.database_url(&a.db), resolved).await?;
    let reports = verify_all(&store, &kept)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    let mut ok = true;
    for r in &reports {
        let against = r
            .checkpoint
            .map(|s| format!(", checked against the kept checkpoint at event {s}"))
            .unwrap_or_default();
        match &r.broken {
            None => println!(
                "Organisation {}: {} audit events, chain intact{against}.",
                r.organisation_id, r.checked
            ),
            Some(b) => {
                ok = false;
                println!(
                    "Organisation {}: chain BROKEN after {} good events: {b}.",
                    r.organisation_id, r.checked
                );
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

async fn checkpoint(a: CheckpointArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let store = open_store(&resolved.database_url(&a.db), resolved).await?;
    let made = checkpoints(&store, jiff::Timestamp::now().as_millisecond())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    let text = serde_json::to_string_pretty(&made)? + "\n";
    match &a.out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| anyhow::anyhow!("--out: cannot write {}: {e}", path.display()))?;
            for cp in &made {
                println!(
                    "Organisation {}: checkpoint at event {} written to {}.",
                    cp.organisation_id,
                    cp.sequence,
                    path.display()
                );
            }
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
