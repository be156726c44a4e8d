//! `candour token create` and `candour token revoke`.

use super::{DatabaseArg, Resolved, ctx, open_store};
use crate::actions::tokens::create_token;
use clap::{Args, Subcommand};
use std::process::ExitCode;

/// `candour token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token and print it once.
    Create(CreateArgs),
}

/// `candour token create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The owner's email address.
    #[arg(long)]
    email: String,
    /// What the token is for.
    #[arg(long)]
    label: String,
}

/// Runs a token subcommand.
pub async fn run(cmd: TokenCommand, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    match cmd {
        TokenCommand::Create(a) => {
            let store = open_store(&resolved.database_url(&a.db), resolved).await?;
            let user = store
                .user_by_email(&a.email.trim().to_lowercase())
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!("--email: there is no account with the email {}", a.email)
                })?;
            let (_, secret) = create_token(&ctx(store.clone()), user.user_id, &a.label, "cli")
                .await
                .map_err(|e| anyhow::anyhow!("--label: {e}"))?;
            println!("{secret}");
            eprintln!(
                "This token acts as {} with their permissions. It is shown only now.",
                user.email
            );
            store.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}
