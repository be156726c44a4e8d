//! Command-line interface: one file per subcommand. The CLI calls actions,
//! like the web layer; it never writes SQL.

mod audit;
mod backup;
mod demo;
mod org;
mod retention;
mod serve;
mod subject_access;
mod token;
mod user;

use crate::actions::Ctx;
use crate::clock::SystemClock;
use crate::config::{DEFAULT_DATABASE_URL, EXAMPLE, FileConfig};
use crate::store::Store;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Candour: incident, near-miss and learning system for adult social care.
#[derive(Debug, Parser)]
#[command(name = "candour", version, about)]
pub struct Cli {
    /// A TOML configuration file (see `candour config example`).
    #[arg(long, global = true, env = "CANDOUR_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format: human or json.
    #[arg(long, global = true, env = "CANDOUR_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// The file holding the key the audit trail is chained with (made the
    /// first time). Keep a copy apart from the database's backups. By
    /// default audit.key beside a SQLite database, else candour-data/audit.key.
    #[arg(long, global = true, env = "CANDOUR_AUDIT_KEY_FILE")]
    pub audit_key_file: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The database to use; every subcommand that touches data takes it.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArg {
    /// Database URL: sqlite://PATH (default sqlite://candour-data/candour.db) or postgres://…
    #[arg(long, env = "CANDOUR_DATABASE_URL")]
    pub database: Option<String>,
}

impl DatabaseArg {
    /// The URL given by flag or environment; an empty value counts as not given.
    pub fn given(&self) -> Option<String> {
        self.database.clone().filter(|s| !s.trim().is_empty())
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application.
    Serve(serve::ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArg),
    /// Set up the organisation: regions, services and areas.
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Write a consistent copy of the database to a file while it is in use.
    Backup(backup::BackupArgs),
    /// Put a backup in place of a database (refusing to replace data without
    /// --force), then migrate it and check it: integrity, attachments, audit trail.
    Restore(backup::RestoreArgs),
    /// Everything held about one person using a service, or one member of
    /// staff, as a ZIP of JSON, CSV and a readable PDF (a subject access request).
    SubjectAccess(subject_access::SubjectAccessArgs),
    /// Records retention: review, or destroy, incidents past their retention period.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Fill a database with a synthetic demo care group.
    Demo(demo::DemoArgs),
    /// Configuration help.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Typeset documents (the server's child processes): a job as JSON on
    /// standard input, its PDF on standard output; or, with --many, one
    /// job after another.
    #[command(hide = true)]
    Typeset(TypesetArgs),
}

/// `candour typeset …`
#[derive(Debug, Args)]
pub struct TypesetArgs {
    /// Typeset one document after another, each a length-prefixed job,
    /// answering each in turn (as the server's children do).
    #[arg(long)]
    pub many: bool,
    /// With --many: exit after this many seconds without a job.
    #[arg(long, default_value_t = 60)]
    pub idle_seconds: u64,
}

/// `candour config …`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a commented example configuration file.
    Example,
}

/// Settings resolved from flags, environment and file.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The file's settings (empty when no file).
    pub file: Arc<FileConfig>,
    /// Log format.
    pub json_logs: bool,
    /// The audit key file named by flag, environment or file.
    pub audit_key_file: Option<PathBuf>,
}

impl Resolved {
    /// The database URL: flag or environment, else file, else the default.
    pub fn database_url(&self, arg: &DatabaseArg) -> String {
        arg.given()
            .or_else(|| self.file.database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
    }

    /// Where the audit key of the database at `url` is kept.
    pub fn audit_key_path(&self, url: &str) -> PathBuf {
        self.audit_key_file
            .clone()
            .unwrap_or_else(|| crate::audit_key::default_path(url))
    }
}

/// Opens and migrates the database, or fails with one sentence naming the URL and the cause.
pub async fn open_store(url: &str, resolved: &Resolved) -> anyhow::Result<Store> {
    let shown = redact(url);
    let store = Store::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("could not open the database {shown}: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| anyhow::anyhow!("could not migrate the database {shown}: {e}"))?;
    let path = resolved.audit_key_path(url);
    let now = jiff::Timestamp::now().as_millisecond();
    let attached = crate::audit_key::attach(store, &path, now).await?;
    // Said to the operator: as a log line when logs are JSON for a collector.
    let tell = |message: String| {
        if resolved.json_logs {
            tracing::warn!("{message}");
        } else {
            eprintln!("{message}");
        }
    };
    if attached.created {
        tell(format!(
            "Made a new audit key at {}. Keep a copy apart from the database and its backups: without it the audit trail cannot be checked.",
            path.display()
        ));
    }
    for (org, events) in &attached.keyed.converted {
        tracing::info!(organisation = %org, events, "audit chain verified and keyed");
    }
    for (org, broken) in &attached.keyed.refused {
        tell(format!(
            "The audit trail of organisation {org} was broken before it could be keyed ({broken}): it was left as it is. Run `candour audit verify`."
        ));
    }
    Ok(attached.store)
}

/// A URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// A context on the real clock.
pub fn ctx(store: Store) -> Ctx {
    Ctx {
        store,
        clock: Arc::new(SystemClock),
        public_url: None,
        typesetter: crate::typeset::Typesetter::InProcess,
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CANDOUR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = match &cli.config {
        Some(p) => FileConfig::load(p)?,
        None => FileConfig::default(),
    };
    let format = cli
        .log_format
        .clone()
        .or_else(|| file.log_format.clone())
        .unwrap_or_else(|| "human".to_owned());
    let json_logs = match format.as_str() {
        "human" => false,
        "json" => true,
        other => anyhow::bail!("the log format must be human or json, not {other:?}"),
    };
    let audit_key_file = cli
        .audit_key_file
        .clone()
        .or_else(|| file.audit_key_file.clone());
    let resolved = Resolved {
        file: Arc::new(file),
        json_logs,
        audit_key_file,
    };
    match cli.command {
        // No logging: the child writes nothing but the PDF to its output.
        Command::Typeset(args) => tokio::task::spawn_blocking(move || {
            if args.many {
                crate::typeset::run_many(std::time::Duration::from_secs(args.idle_seconds))
            } else {
                crate::typeset::run_child()
            }
        })
        .await?
        .map(|()| ExitCode::SUCCESS),
        Command::Config(ConfigCommand::Example) => {
            print!("{EXAMPLE}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => {
            init_logging(resolved.json_logs);
            serve::run(args, &resolved).await
        }
        Command::Migrate(db) => {
            let url = resolved.database_url(&db);
            let store = Store::connect(&url).await.map_err(|e| {
                anyhow::anyhow!("could not open the database {}: {e}", redact(&url))
            })?;
            let n = store.migrate().await?;
            println!("Applied {n} migration(s) to {}.", redact(&url));
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Org(cmd) => org::run(cmd, &resolved).await,
        Command::User(cmd) => user::run(cmd, &resolved).await,
        Command::Token(cmd) => token::run(cmd, &resolved).await,
        Command::Audit(cmd) => audit::run(cmd, &resolved).await,
        Command::Retention(cmd) => retention::run(cmd, &resolved).await,
        Command::Backup(args) => backup::run_backup(args, &resolved).await,
        Command::SubjectAccess(args) => subject_access::run(args, &resolved).await,
        Command::Restore(args) => backup::run_restore(args, &resolved).await,
        Command::Demo(args) => demo::run(args, &resolved).await,
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact("sqlite://candour-data/candour.db"),
            "sqlite://candour-data/candour.db"
        );
    }
}
