//! `candour subject-access`: everything held about one person using a
//! service, or one member of staff, as a ZIP (see `actions::subject_access`).

use super::{Resolved, ctx, open_store};
use crate::actions::accounts::pick_organisation;
use crate::actions::subject_access::{export_person_as, export_staff_as};
use clap::{ArgGroup, Args};
use std::path::PathBuf;
use std::process::ExitCode;

/// `candour subject-access`
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("subject").required(true).args(["person", "staff"])))]
pub struct SubjectAccessArgs {
    #[command(flatten)]
    db: super::DatabaseArg,
    /// A person using a service, by internal code, such as P-000123.
    #[arg(long)]
    person: Option<String>,
    /// A member of staff, by the email they sign in with.
    #[arg(long)]
    staff: Option<String>,
    /// The organisation, when the database holds several.
    #[arg(long)]
    organisation: Option<String>,
    /// Where to write the ZIP (it must not exist yet; by default its own
    /// name in the current folder).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Writes the export and says what it holds.
pub async fn run(a: SubjectAccessArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let store = open_store(&resolved.database_url(&a.db), resolved).await?;
    let ctx = ctx(store.clone());
    let explain = |e: crate::actions::ActionError| anyhow::anyhow!("{e}");
    let org = pick_organisation(&ctx, a.organisation.as_deref())
        .await
        .map_err(explain)?;
    let export = match (&a.person, &a.staff) {
        (Some(code), _) => {
            let person = store
                .person_by_code(org, code.trim())
                .await?
                .ok_or_else(|| anyhow::anyhow!("--person: no one has the code {code}"))?;
            export_person_as(&ctx, org, person.person_id, "cli")
                .await
                .map_err(explain)?
        }
        (None, Some(email)) => {
            let user = store
                .user_by_email(&email.trim().to_lowercase())
                .await?
                .filter(|u| u.organisation_id == org)
                .ok_or_else(|| anyhow::anyhow!("--staff: no account has the email {email}"))?;
            export_staff_as(&ctx, org, user.user_id, "cli")
                .await
                .map_err(explain)?
        }
        (None, None) => anyhow::bail!("name --person or --staff"),
    };
    store.close().await;
    let out = a.out.unwrap_or_else(|| PathBuf::from(&export.file_name));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&out)
        .map_err(|e| anyhow::anyhow!("--out: cannot write {}: {e}", out.display()))?;
    std::io::Write::write_all(&mut file, &export.zip)?;
    println!("Wrote {} ({} bytes):", out.display(), export.zip.len());
    for (f, n) in &export.files {
        println!("  {f}: {n}");
    }
    println!("The export is recorded in the audit trail.");
    Ok(ExitCode::SUCCESS)
}
