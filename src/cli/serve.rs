//! `candour serve`: the web application, optionally on fresh demo data.

use super::{DatabaseArg, Resolved, ctx, open_store, redact};
use crate::config::DEFAULT_LISTEN;
use crate::email::sender::Mailer;
use crate::web::{AppState, serve, serve_metrics};
use clap::Args;
use std::process::ExitCode;

/// Where the demo database lives when no database is named.
const DEMO_DATABASE_URL: &str = "sqlite://candour-data/demo.db";

/// `candour serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArg,
    /// Address to listen on, such as 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long, env = "CANDOUR_LISTEN")]
    listen: Option<String>,
    /// Run on a fresh database filled with a synthetic demo care group.
    #[arg(long)]
    demo: bool,
    /// Mark session cookies Secure (when served over HTTPS).
    #[arg(long, env = "CANDOUR_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Behind a reverse proxy: take the client's address from X-Forwarded-For
    /// (for sign-in throttling). Only when the proxy overwrites that header.
    #[arg(long, env = "CANDOUR_TRUST_PROXY")]
    trust_proxy: bool,
    /// Largest photo or document that can be added to a report, in MB.
    #[arg(long, env = "CANDOUR_MAX_UPLOAD_MB")]
    max_upload_mb: Option<u64>,
    /// The address people use to reach Candour, for links in emails,
    /// such as https://candour.example.org (when listening on this machine
    /// only, its own address)
    #[arg(long, env = "CANDOUR_PUBLIC_URL")]
    public_url: Option<String>,
    /// SMTP server for email: smtp://relay:25, smtp://user:pass@host:587?tls=required
    /// or smtps://user:pass@host:465. Without it, emails wait in the outbox.
    #[arg(long, env = "CANDOUR_SMTP_URL")]
    smtp_url: Option<String>,
    /// The From address of emails, such as "Candour <candour@example.org>".
    #[arg(long, env = "CANDOUR_MAIL_FROM")]
    mail_from: Option<String>,
    /// Tries before an email turned away for a passing reason is given up as
    /// failed (1 to 50; 8 by default, about eight hours of retries).
    #[arg(long, env = "CANDOUR_EMAIL_MAX_ATTEMPTS")]
    email_max_attempts: Option<i64>,
    /// The bearer token that /metrics asks for on the main address (without
    /// it, and without --metrics-listen, /metrics answers 404).
    #[arg(long, env = "CANDOUR_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// A separate address serving only /metrics, with no token, such as
    /// 127.0.0.1:9464 (reachable only from your monitoring network).
    #[arg(long, env = "CANDOUR_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Rehearsal only, on a copy of the database: the server's clock starts
    /// at this instant (RFC 3339, such as 2026-12-01T07:00:00Z) and runs on,
    /// to see a morning's digest or a month's reports go out. Everything
    /// recorded carries the rehearsal time, so never use it on live data.
    #[arg(long, value_name = "INSTANT")]
    rehearse_from: Option<jiff::Timestamp>,
}

/// Runs the server until SIGINT or SIGTERM.
pub async fn run(args: ServeArgs, resolved: &Resolved) -> anyhow::Result<ExitCode> {
    let named = args.db.given().or_else(|| resolved.file.database.clone());
    let url = match (&named, args.demo) {
        (None, true) => {
            // A fresh demo every time: the old demo file is removed first.
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("candour-data/demo.db{suffix}"));
            }
            DEMO_DATABASE_URL.to_owned()
        }
        _ => resolved.database_url(&args.db),
    };
    let store = open_store(&url, resolved).await?;
    let mut context = ctx(store.clone());
    context.typesetter = crate::typeset::Typesetter::child_of_this_program();
    context.public_url = args
        .public_url
        .clone()
        .or_else(|| resolved.file.public_url.clone())
        .filter(|u| !u.trim().is_empty());
    if let Some(start) = args.rehearse_from {
        context.clock = std::sync::Arc::new(crate::clock::ShiftedClock::starting_at(start));
        tracing::warn!(%start, "rehearsal: the clock starts at {start}; do not use on live data");
        say(&format!(
            "Rehearsal: this server's clock starts at {} (UK time) and runs on from there. Do not use it on live data.",
            candour_domain::display::date_time(start)
        ));
    }
    let mailer = mailer(&args, resolved)?;
    if args.demo {
        if store.organisation_ids().await?.is_empty() {
            tracing::info!("filling {} with demo data", redact(&url));
            crate::demo::generate(
                &context,
                crate::demo::Scale::Small,
                crate::demo::DEFAULT_SEED,
            )
            .await?;
        } else if store.setting("demo").await?.is_none() {
            anyhow::bail!(
                "the database {} already holds real data: --demo needs an empty database",
                redact(&url)
            );
        }
    }
    // Reports from before triage deadlines existed get theirs now.
    let filled = crate::actions::timescales::recompute_triage_deadlines(&context, true)
        .await
        .map_err(|e| anyhow::anyhow!("could not set triage deadlines: {e}"))?;
    if filled > 0 {
        tracing::info!(filled, "set triage deadlines on earlier reports");
    }
    let listen = args
        .listen
        .or_else(|| resolved.file.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| anyhow::anyhow!("could not listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    // Trying Candour on this machine: links in emails point here. Anywhere
    // else the address must be given, never guessed from a request.
    if context.public_url.is_none() && addr.ip().is_loopback() {
        context.public_url = Some(format!("http://{addr}"));
    }
    let secure = args.secure_cookies || resolved.file.secure_cookies.unwrap_or(false);
    let mut state = AppState::new(context, secure).await?;
    state.trust_proxy = args.trust_proxy || resolved.file.trust_proxy.unwrap_or(false);
    let upload_mb = args
        .max_upload_mb
        .or(resolved.file.max_upload_mb)
        .unwrap_or(10);
    state.max_upload_bytes = upload_mb.clamp(1, 1024) * 1024 * 1024;
    state.metrics_token = args
        .metrics_token
        .clone()
        .or_else(|| resolved.file.metrics_token.clone())
        .filter(|t| !t.trim().is_empty())
        .map(|t| std::sync::Arc::new(t.trim().to_owned()));
    let metrics_listen = args
        .metrics_listen
        .clone()
        .or_else(|| resolved.file.metrics_listen.clone());
    let metrics_listener = match &metrics_listen {
        Some(at) => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| anyhow::anyhow!("could not listen on {at} for metrics: {e}"))?,
        ),
        None => None,
    };
    say(&format!(
        "Candour is running at http://{addr}/ on {}",
        redact(&url)
    ));
    if let Some(l) = &metrics_listener {
        say(&format!(
            "Metrics are at http://{}/metrics",
            l.local_addr()?
        ));
    }
    if args.demo {
        print_demo_logins(&store).await?;
    }
    tracing::info!(%addr, "listening");
    let (stop_mail, stop_rx) = tokio::sync::watch::channel(false);
    let sender = match mailer {
        Some(m) => Some(tokio::spawn(crate::email::sender::run(
            state.ctx.clone(),
            m,
            stop_rx,
        ))),
        None => {
            tracing::warn!("no SMTP server is set (--smtp-url): emails wait in the outbox");
            None
        }
    };
    let scheduler = tokio::spawn(crate::jobs::run(state.ctx.clone(), stop_mail.subscribe()));
    // One signal stops both the application and the metrics address.
    let (stopping, stop_serving) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stopping.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let metrics = metrics_listener.map(|l| {
        tokio::spawn(serve_metrics(
            l,
            state.clone(),
            stopped(stop_serving.clone()),
        ))
    });
    serve(listener, state, stopped(stop_serving)).await?;
    if let Some(m) = metrics {
        let _ = m.await;
    }
    let _ = stop_mail.send(true);
    if let Some(task) = sender {
        let _ = task.await;
    }
    let _ = scheduler.await;
    tracing::info!("stopped; closing the database");
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The mailer from flags, environment or file; `None` when no SMTP server is set.
fn mailer(args: &ServeArgs, resolved: &Resolved) -> anyhow::Result<Option<Mailer>> {
    let url = args
        .smtp_url
        .clone()
        .or_else(|| resolved.file.smtp_url.clone())
        .filter(|u| !u.trim().is_empty());
    let Some(url) = url else {
        return Ok(None);
    };
    let from = args
        .mail_from
        .clone()
        .or_else(|| resolved.file.mail_from.clone())
        .ok_or_else(|| {
            anyhow::anyhow!("--smtp-url needs --mail-from, the address emails come from")
        })?;
    let mailer = Mailer::new(&url, &from)?;
    Ok(Some(
        match args.email_max_attempts.or(resolved.file.email_max_attempts) {
            Some(n) => mailer.with_max_attempts(n)?,
            None => mailer,
        },
    ))
}

async fn print_demo_logins(store: &crate::store::Store) -> anyhow::Result<()> {
    let Some(json) = store.setting("demo_logins").await? else {
        return Ok(());
    };
    let logins: Vec<crate::demo::DemoLogin> = serde_json::from_str(&json)?;
    say(&format!(
        "Demo sign-ins (every password is {}):",
        crate::demo::DEMO_PASSWORD
    ));
    for l in logins {
        say(&format!("  {:<20} {:<45} {}", l.role, l.email, l.scope));
    }
    Ok(())
}

/// Prints a line for the operator. A closed or broken stdout (a supervisor
/// that stopped reading) must never stop the server, so errors are ignored.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Registers the SIGINT and SIGTERM handlers now (before the server says it
/// is ready, so a signal sent straight after that line is never lost) and
/// returns a future that resolves when either arrives.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
