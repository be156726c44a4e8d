//! `candour user add`, `reset-password`, `disable` and `enable`.

use super::{DatabaseArg, Resolved, ctx, open_store};
use crate::actions::ActionError;
use crate::actions::accounts::{
    NewUser, add_user, pick_organisation, reset_password, resolve_scope,
};
use candour_domain::role::{Grant, Role};
use clap::{Args, Subcommand};
use std::io::Read;
use std::process::ExitCode;

/// `candour user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account with one role.
    Add(AddArgs),
    /// Set a new password for an account and end its sessions.
    ResetPassword(ResetArgs),
    /// Disable a leaver's account: its sessions, API tokens and PIN end at once.
    Disable(StatusArgs),
    /// Let a disabled account sign in again.
    Enable(StatusArgs),
    /// Give an account a further role over a scope.
    Grant(GrantArgs),
    /// Take a role over a scope from an account (not its only one).
    Revoke(GrantArgs),
}

/// `candour user grant` and `candour user revoke`
#[derive(Debug, Args)]
pub struct GrantArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The account's email address.
    #[arg(long)]
    email: String,
    /// A role, as for `candour user add`.
    #[arg(long)]
    role: String,
    /// organisation, region:NAME or service:NAME.
    #[arg(long)]
    scope: String,
}

/// `candour user disable` and `candour user enable`
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The account's email address.
    #[arg(long)]
    email: String,
    /// Why, kept in the audit trail (such as "left on 30 Nov 2026").
    #[arg(long)]
    reason: String,
}

/// `candour user add`
#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Email address (the sign-in name).
    #[arg(long)]
    email: String,
    /// Full name.
    #[arg(long)]
    name: String,
    /// care_worker, senior_carer, registered_manager, regional_manager,
    /// head_of_operations, quality_assurance, safeguarding_lead (a
    /// designated safeguarding lead), speaking_up_guardian, board_member or
    /// administrator.
    #[arg(long)]
    role: String,
    /// organisation, region:NAME or service:NAME.
    #[arg(long)]
    scope: String,
    /// The organisation, when the database holds several.
    #[arg(long)]
    organisation: Option<String>,
    /// Read the password from standard input (otherwise one is generated and printed).
    #[arg(long)]
    password_stdin: bool,
}

/// `candour user reset-password`
#[derive(Debug, Args)]
pub struct ResetArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// The account's email address.
    #[arg(long)]
    email: String,
    /// Read the new password from standard input (otherwise one is generated and printed).
    #[arg(long)]
    password_stdin: bool,
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok((s.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((
            crate::secrets::new_secret("")?.chars().take(20).collect(),
            true,
        ))
    }
}

/// Explains field errors on the command line, naming the flag.
pub fn explain(e: ActionError) -> anyhow::Error {
    match e {
        ActionError::Invalid(f) => anyhow::anyhow!(
            "{}",
            f.0.iter()
                .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!(other),
    }
}

/// Runs a user subcommand.
pub async fn run(cmd: UserCommand, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add(a) => {
            let store = open_store(&resolved.database_url(&a.db), resolved).await?;
            let ctx = ctx(store.clone());
            let role = parse_role(&a.role)?;
            let org = pick_organisation(&ctx, a.organisation.as_deref())
                .await
                .map_err(explain)?;
            let scope = resolve_scope(&ctx, org, &a.scope).await.map_err(explain)?;
            let (password, generated) = read_password(a.password_stdin)?;
            let new = NewUser {
                organisation_id: org,
                email: a.email,
                display_name: a.name,
                grant: Grant { role, scope },
                password: Some(password.clone()),
            };
            let user = add_user(&ctx, &new, "cli").await.map_err(explain)?;
            println!(
                "Added {} <{}> as {}.",
                user.display_name,
                user.email,
                role.label()
            );
            if generated {
                println!(
                    "Their first password is: {password}\nGive it to them privately; they can change it after signing in."
                );
            }
            store.close().await;
        }
        UserCommand::ResetPassword(a) => {
            let store = open_store(&resolved.database_url(&a.db), resolved).await?;
            let ctx = ctx(store.clone());
            let user = account(&store, &a.email).await?;
            let (password, generated) = read_password(a.password_stdin)?;
            let revoked = reset_password(&ctx, &user, &password, "cli")
                .await
                .map_err(explain)?;
            println!(
                "Password reset for {}; their sessions, API tokens and quick sign-in PIN have ended ({revoked} token{} revoked).",
                user.email,
                if revoked == 1 { "" } else { "s" }
            );
            if generated {
                println!("Their new password is: {password}");
            }
            store.close().await;
        }
        UserCommand::Disable(a) => {
            set_status(a, resolved, false).await?;
        }
        UserCommand::Enable(a) => {
            set_status(a, resolved, true).await?;
        }
        UserCommand::Grant(a) => {
            change_grant(a, resolved, true).await?;
        }
        UserCommand::Revoke(a) => {
            change_grant(a, resolved, false).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Disables or enables the account with `a.email`, as an operator.
async fn set_status(a: StatusArgs, resolved: &Resolved, enable: bool) -> anyhow::Result<()> {
    use crate::actions::leavers::set_status_in;
    anyhow::ensure!(
        !a.reason.trim().is_empty(),
        "--reason: say why, such as \"left on 30 Nov 2026\""
    );
    let store = open_store(&resolved.database_url(&a.db), resolved).await?;
    let ctx = ctx(store.clone());
    let user = account(&store, &a.email).await?;
    let mut tx = store.begin().await?;
    set_status_in(&ctx, &mut tx, &user, ("cli", a.reason.trim()), enable)
        .await
        .map_err(explain)?;
    tx.commit().await?;
    if enable {
        println!("{} can sign in again.", user.email);
    } else {
        println!(
            "Disabled {}: their sessions, API tokens and quick sign-in PIN have ended.",
            user.email
        );
    }
    store.close().await;
    Ok(())
}

/// Gives (`give`) or takes a role over a scope, as an operator.
async fn change_grant(a: GrantArgs, resolved: &Resolved, give: bool) -> anyhow::Result<()> {
    use crate::actions::leavers::{grant_as, revoke_as};
    let role = parse_role(&a.role)?;
    let store = open_store(&resolved.database_url(&a.db), resolved).await?;
    let ctx = ctx(store.clone());
    let user = account(&store, &a.email).await?;
    let scope = resolve_scope(&ctx, user.organisation_id, &a.scope)
        .await
        .map_err(explain)?;
    let grant = Grant { role, scope };
    if give {
        grant_as(&ctx, &user, grant, "cli").await.map_err(explain)?;
        println!(
            "{} is now also {} over {}.",
            user.email,
            role.label(),
            a.scope.trim()
        );
    } else {
        revoke_as(&ctx, &user, grant, "cli")
            .await
            .map_err(explain)?;
        println!(
            "{} is no longer {} over {}.",
            user.email,
            role.label(),
            a.scope.trim()
        );
    }
    store.close().await;
    Ok(())
}

/// The account with `email`, or an error naming the flag.
async fn account(
    store: &crate::store::Store,
    email: &str,
) -> anyhow::Result<crate::store::users::User> {
    store
        .user_by_email(&email.trim().to_lowercase())
        .await?
        .ok_or_else(|| anyhow::anyhow!("--email: there is no account with the email {email}"))
}

/// A role typed after `--role`, or an error listing the roles.
fn parse_role(typed: &str) -> anyhow::Result<Role> {
    Role::parse(typed.trim()).ok_or_else(|| {
        anyhow::anyhow!(
            "--role: {typed:?} is not a role; use one of {}",
            role_list()
        )
    })
}

fn role_list() -> String {
    Role::ALL
        .iter()
        .map(|r| r.code())
        .collect::<Vec<_>>()
        .join(", ")
}
