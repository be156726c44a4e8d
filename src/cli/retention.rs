//! `candour retention review|destroy`: closed incidents whose retention
//! period has ended (the organisation's settings, never under RIDDOR's
//! three years), listed, or destroyed with an audit event each.

use super::{DatabaseArg, Resolved, ctx, open_store};
use crate::actions::accounts::pick_organisation;
use crate::actions::retention::{destroy_due, review};
use candour_domain::display;
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// `candour retention …`
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// List incidents closed three or more years ago: which may be destroyed, and why the rest are kept.
    Review(RetentionArgs),
    /// Destroy every incident whose retention has ended (asks for --yes).
    Destroy(DestroyArgs),
    /// Put an incident on legal hold: never destroyed until released.
    Hold(HoldArgs),
    /// Release an incident's legal hold.
    Release(HoldArgs),
}

/// `candour retention hold|release`
#[derive(Debug, Args)]
pub struct HoldArgs {
    #[command(flatten)]
    args: RetentionArgs,
    /// The incident, like INC-000123.
    #[arg(long)]
    reference: String,
    /// Why (an inquest, a claim, a safeguarding adults review; or why it is released).
    #[arg(long)]
    reason: String,
    /// Who is doing it, for the audit trail.
    #[arg(long)]
    by: String,
}

/// Which organisation.
#[derive(Debug, Args)]
pub struct RetentionArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The organisation, when the database holds several.
    #[arg(long)]
    organisation: Option<String>,
}

/// `candour retention destroy`
#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    args: RetentionArgs,
    /// Confirm: destroy them now (without it, nothing is destroyed).
    #[arg(long)]
    yes: bool,
}

/// Runs a retention subcommand.
pub async fn run(cmd: RetentionCommand, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let (a, destroy) = match cmd {
        RetentionCommand::Review(a) => (a, None),
        RetentionCommand::Destroy(d) => (d.args, Some(d.yes)),
        RetentionCommand::Hold(h) => return hold(h, true, resolved).await,
        RetentionCommand::Release(h) => return hold(h, false, resolved).await,
    };
    let store = open_store(&resolved.database_url(&a.db), resolved).await?;
    let ctx = ctx(store.clone());
    let org = pick_organisation(&ctx, a.organisation.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let code = match destroy {
        None => {
            let list = review(&ctx, org)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let due = list.iter().filter(|x| x.verdict.is_ok()).count();
            println!(
                "{} incident(s) closed three or more years ago; {due} may be destroyed.",
                list.len()
            );
            for x in &list {
                match &x.verdict {
                    Ok(()) => println!(
                        "  {}  closed {}  may be destroyed (kept until {})",
                        x.reference,
                        display::date(x.closed_at),
                        display::date(x.keep_until)
                    ),
                    Err(why) => println!(
                        "  {}  closed {}  kept: {why}",
                        x.reference,
                        display::date(x.closed_at)
                    ),
                }
            }
            ExitCode::SUCCESS
        }
        Some(false) => {
            eprintln!(
                "Nothing destroyed: add --yes to destroy the incidents `candour retention review` lists as may be destroyed."
            );
            ExitCode::from(2)
        }
        Some(true) => {
            let done = destroy_due(&ctx, org)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Destroyed {} incident record(s).", done.len());
            for r in &done {
                println!("  {r}");
            }
            ExitCode::SUCCESS
        }
    };
    store.close().await;
    Ok(code)
}

async fn hold(h: HoldArgs, on: bool, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let store = open_store(&resolved.database_url(&h.args.db), resolved).await?;
    let ctx = ctx(store.clone());
    let org = pick_organisation(&ctx, h.args.organisation.as_deref())
        .await
        .map_err(super::user::explain)?;
    let by = format!("{} (command line)", h.by.trim());
    crate::actions::retention::set_legal_hold(&ctx, org, &h.reference, (on, &h.reason, &by))
        .await
        .map_err(super::user::explain)?;
    store.close().await;
    println!(
        "{} {}.",
        h.reference.trim(),
        if on {
            "is on legal hold: it will not be destroyed until released"
        } else {
            "is no longer on legal hold"
        }
    );
    Ok(ExitCode::SUCCESS)
}
