//! `candour audit verify`: walks every organisation's hash chain.

use super::{DatabaseArg, Resolved, open_store};
use crate::actions::audit::verify_all;
use clap::Subcommand;
use std::process::ExitCode;

/// `candour audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check that no audit event was changed, removed or reordered.
    Verify(DatabaseArg),
}

/// Runs an audit subcommand; exits non-zero at the first broken chain.
pub async fn run(cmd: AuditCommand, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify(db) = cmd;
    let store = open_store(&resolved.database_url(&db)).await?;
    let reports = verify_all(&store)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store.close().await;
    let mut ok = true;
    for r in &reports {
        match &r.broken {
            None => println!(
                "Organisation {}: {} audit events, chain intact.",
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
