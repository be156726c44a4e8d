//! `candour demo`: fill a database with the demo care group without serving.

use super::{DatabaseArg, Resolved, ctx, open_store, redact};
use crate::demo::{DEFAULT_SEED, DEMO_PASSWORD, Scale, generate_sized};
use clap::Args;
use std::process::ExitCode;

/// `candour demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// small (4 services, 18 months) or large (300 services, about 2,000,000 events).
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
    /// The random seed: the same seed gives the same data.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// How many services to make instead of the scale's own number (the
    /// rest of its shape kept), for a quicker large-shaped care group.
    #[arg(long)]
    services: Option<usize>,
}

/// Runs `candour demo`.
pub async fn run(args: DemoArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let url = resolved.database_url(&args.db);
    let store = open_store(&url, resolved).await?;
    if !store.organisation_ids().await?.is_empty() {
        anyhow::bail!(
            "the database {} already holds an organisation: the demo needs an empty database",
            redact(&url)
        );
    }
    let started = std::time::Instant::now();
    let summary = generate_sized(&ctx(store.clone()), args.scale, args.seed, args.services).await?;
    store.close().await;
    println!(
        "Made {} services, {} people, {} staff and {} events in {:.1} s in {}.",
        summary.services,
        summary.people,
        summary.staff,
        summary.incidents,
        started.elapsed().as_secs_f64(),
        redact(&url)
    );
    if let Some(h) = summary.history {
        println!(
            "With {} assessments, {} duty steps, {} investigations, {} improvement actions, {} meetings, {} lessons and {} acknowledgements.",
            h.assessments,
            h.duty_steps,
            h.investigations,
            h.actions,
            h.meetings,
            h.lessons,
            h.acknowledgements
        );
    }
    println!("Every demo password is {DEMO_PASSWORD}. Sign-ins:");
    for l in summary.logins {
        println!("  {:<20} {:<45} {}", l.role, l.email, l.scope);
    }
    Ok(ExitCode::SUCCESS)
}
