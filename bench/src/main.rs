//! `candour-bench`: on a large generated dataset, measures through the real
//! server what the issue asks (report submission against the raw insert
//! floor, list pages, dashboards, the board report, the evidence pack,
//! search, memory and start-up), writes the results as JSON and rebuilds
//! the table in docs/BENCHMARKS.md from every engine's latest results.
//!
//! ```text
//! cargo build --release
//! cargo run --release -p candour-bench -- --engine sqlite
//! cargo run --release -p candour-bench -- --engine postgres
//! ```

mod floor;
mod load;
mod report;
mod server;
mod stats;

use candour::actions::Ctx;
use candour::actions::tokens::create_token;
use candour::clock::SystemClock;
use candour::store::Store;
use candour::store::stats::COUNTED;
use candour_domain::role::{Role, Scope};
use clap::Parser;
use load::{Op, closed_loop};
use report::{Dataset, Page, Results};
use server::{Server, sample_peak, signed_in};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candour::demo::DEMO_PASSWORD;

#[derive(Debug, Parser)]
#[command(about = "Measure Candour on a large dataset through the real server")]
struct Args {
    /// sqlite or postgres.
    #[arg(long)]
    engine: String,
    /// The database (made with `candour demo --scale large` when it holds
    /// no demo yet). Default: bench-data/large.db, or the candour_bench
    /// database on the local PostgreSQL.
    #[arg(long)]
    database: Option<String>,
    /// Services for a dataset this run makes (300 is the issue's size).
    #[arg(long, default_value_t = 300)]
    services: usize,
    /// Seconds of closed-loop load at each concurrency.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Requests per page measured one at a time.
    #[arg(long, default_value_t = 30)]
    requests: usize,
    /// The candour binary (default: beside this one).
    #[arg(long)]
    candour: Option<PathBuf>,
    /// Where each engine's JSON result is kept.
    #[arg(long, default_value = "bench/results")]
    results: PathBuf,
    /// The Markdown document whose table is rebuilt.
    #[arg(long, default_value = "docs/BENCHMARKS.md")]
    markdown: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        matches!(args.engine.as_str(), "sqlite" | "postgres"),
        "--engine: choose sqlite or postgres (you gave {})",
        args.engine
    );
    let candour = match &args.candour {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("candour"),
    };
    anyhow::ensure!(
        candour.exists(),
        "--candour: {} does not exist; run `cargo build --release` first",
        candour.display()
    );
    let candour = candour.to_string_lossy().into_owned();
    let url = match (&args.database, args.engine.as_str()) {
        (Some(u), _) => u.clone(),
        (None, "sqlite") => {
            std::fs::create_dir_all("bench-data")?;
            "sqlite://bench-data/large.db?mode=rwc".to_owned()
        }
        (None, _) => "postgres://postgres@127.0.0.1:5432/candour_bench".to_owned(),
    };
    let generated = ensure_dataset(&candour, &url, args.services).await?;
    let mut dataset = dataset(&url).await?;
    dataset.generated_seconds = generated;
    eprintln!("dataset: {dataset:?}");

    let levels = [1, 8, 64];
    let time = Duration::from_secs(args.seconds);
    eprintln!("floor: raw durable inserts");
    let floor = floor::measure(&url, &levels, time).await?;

    let mut server = Server::start(&candour, &url).await?;
    eprintln!("server at {} after {:?}", server.base, server.startup);
    let who = people(&url).await?;
    let (stop, peak) = match server.pid() {
        Some(pid) => {
            let (s, p) = sample_peak(pid);
            (Some(s), Some(p))
        }
        None => (None, None),
    };
    // Memory is sampled from the start, pages measured once the first
    // scheduled run is done.
    let first_run = server.first_run_done(Duration::from_secs(600)).await;
    match first_run {
        Some(t) => eprintln!("first scheduled run done after a further {t:?}"),
        None => eprintln!("the first scheduled run had not finished after ten minutes"),
    }
    let pages = measure_pages(&server.base, &who, args.requests).await?;
    let at_rest = server.rss_mib();
    eprintln!("submission");
    let submission = submit(&server.base, &who, &levels, time).await?;
    if let Some(s) = stop {
        let _ = s.send(());
    }
    let (peak, typesetting) = match peak {
        Some(p) => p.await?,
        None => (0.0, 0.0),
    };
    let startup = server.startup;
    server.stop().await;

    let results = Results {
        engine: args.engine.clone(),
        measured_at: jiff::Timestamp::now()
            .strftime("%-d %b %Y %H:%M UTC")
            .to_string(),
        machine: machine(),
        dataset,
        startup_ms: startup.as_secs_f64() * 1e3,
        first_run_ms: first_run.map(|t| (startup + t).as_secs_f64() * 1e3),
        memory_at_rest_mib: at_rest,
        memory_peak_mib: peak,
        typesetting_peak_mib: typesetting,
        floor,
        submission,
        pages,
    };
    std::fs::create_dir_all(&args.results)?;
    let json_path = args.results.join(format!("{}.json", args.engine));
    std::fs::write(&json_path, serde_json::to_string_pretty(&results)? + "\n")?;
    let runs = load_runs(&args.results)?;
    let doc =
        std::fs::read_to_string(&args.markdown).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    std::fs::write(
        &args.markdown,
        report::splice(&doc, &report::markdown(&runs)),
    )?;
    println!("{}", report::markdown(&[results]));
    println!(
        "Wrote {} and {}.",
        json_path.display(),
        args.markdown.display()
    );
    Ok(())
}

/// Each engine's latest results, SQLite first.
fn load_runs(dir: &Path) -> anyhow::Result<Vec<Results>> {
    let mut runs = Vec::new();
    for engine in ["sqlite", "postgres"] {
        let p = dir.join(format!("{engine}.json"));
        if let Ok(text) = std::fs::read_to_string(&p) {
            runs.push(serde_json::from_str(&text)?);
        }
    }
    Ok(runs)
}

/// Cores and memory, as the kernel reports them.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<f64>()
                .ok()
        })
        .map_or(String::new(), |kib| {
            format!(", {:.0} GiB", kib / 1024.0 / 1024.0)
        });
    format!("{cores} cores{mem}")
}

async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    // The key the served binary uses for this database, so the benchmark's
    // own writes (API tokens) join the same keyed audit chain.
    let path = candour::audit_key::default_path(url);
    let now = jiff::Timestamp::now().as_millisecond();
    Ok(candour::audit_key::attach(store, &path, now).await?.store)
}

/// Makes the dataset unless it already holds the demo; the seconds it took.
async fn ensure_dataset(candour: &str, url: &str, services: usize) -> anyhow::Result<Option<f64>> {
    if url.starts_with("postgres") {
        create_postgres_database(url).await?;
    }
    let store = open(url).await?;
    let has_demo = store.setting("demo").await?.is_some();
    let empty = store.organisation_ids().await?.is_empty();
    store.close().await;
    if has_demo {
        eprintln!("using the demo already in the database");
        return Ok(None);
    }
    anyhow::ensure!(
        empty,
        "--database: it holds data that is not the demo; name an empty database"
    );
    eprintln!("making the dataset: candour demo --scale large --services {services}");
    let started = Instant::now();
    let status = tokio::process::Command::new(candour)
        .args([
            "demo",
            "--scale",
            "large",
            "--services",
            &services.to_string(),
            "--database",
            url,
        ])
        .status()
        .await?;
    anyhow::ensure!(status.success(), "candour demo failed: {status}");
    Ok(Some(started.elapsed().as_secs_f64()))
}

/// Creates the PostgreSQL database `url` names, if it is missing.
async fn create_postgres_database(url: &str) -> anyhow::Result<()> {
    let (server, name) = url
        .rsplit_once('/')
        .ok_or_else(|| anyhow::anyhow!("--database: no database name in {url}"))?;
    let name = name.split('?').next().unwrap_or(name);
    anyhow::ensure!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "--database: use letters, digits and _ in the database name"
    );
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&format!("{server}/postgres"))
        .await?;
    let exists = sqlx::query_scalar::<_, i32>("select 1 from pg_database where datname = $1")
        .bind(name)
        .fetch_optional(&pool)
        .await?
        .is_some();
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&pool)
            .await?;
    }
    pool.close().await;
    Ok(())
}

async fn dataset(url: &str) -> anyhow::Result<Dataset> {
    let store = open(url).await?;
    let n = store.row_counts().await?;
    let at = |table: &str| {
        COUNTED
            .iter()
            .position(|t| *t == table)
            .and_then(|i| n.get(i).copied())
            .unwrap_or(0)
    };
    let size_mib = store.database_bytes().await? as f64 / 1_048_576.0;
    store.close().await;
    Ok(Dataset {
        services: at("service"),
        people: at("person"),
        staff: at("app_user"),
        incidents: at("incident"),
        assessments: at("incident_assessment"),
        investigations: at("investigation"),
        actions: at("improvement_action"),
        meetings: at("learning_meeting"),
        lessons: at("lesson"),
        generated_seconds: None,
        size_mib,
    })
}

/// The people the measurements act as.
struct Who {
    /// The first service's id and its registered manager's email.
    service: (String, String),
    /// Its first person.
    person: String,
    /// Head of operations (the whole organisation).
    head: String,
    /// A regional manager (one region's services).
    regional: String,
    /// A board member.
    board: String,
    /// API tokens of care workers, with the service each reports in.
    reporters: Vec<(String, String)>,
    /// An API token of the head of operations.
    head_token: String,
}

async fn people(url: &str) -> anyhow::Result<Who> {
    let store = open(url).await?;
    let ctx = Ctx {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        public_url: None,
        typesetter: candour::typeset::Typesetter::InProcess,
    };
    let org = *store
        .organisation_ids()
        .await?
        .first()
        .ok_or_else(|| anyhow::anyhow!("the dataset has no organisation"))?;
    let service = store
        .services(org)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("the dataset has no service"))?;
    let person = store
        .people_of_service(org, service.service_id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("the first service has nobody"))?;
    let emails: std::collections::HashMap<_, _> = store
        .users(org)
        .await?
        .into_iter()
        .map(|u| (u.user_id, u.email))
        .collect();
    let staff = store.staff_with_grants(org).await?;
    let with = |role: Role, scope: Option<Scope>| {
        staff
            .iter()
            .find(|(_, _, g)| {
                g.iter()
                    .any(|g| g.role == role && scope.is_none_or(|s| g.scope == s))
            })
            .map(|(id, _, _)| *id)
            .ok_or_else(|| anyhow::anyhow!("the dataset has no {}", role.label()))
    };
    let email = |id| emails.get(&id).cloned().unwrap_or_default();
    let rm = with(
        Role::RegisteredManager,
        Some(Scope::Service(service.service_id)),
    )?;
    let head = with(Role::HeadOfOperations, None)?;
    let regional = with(Role::RegionalManager, None)?;
    let board = with(Role::BoardMember, None)?;
    let token = |id| {
        let ctx = ctx.clone();
        async move {
            create_token(&ctx, id, "benchmark", "bench")
                .await
                .map(|(_, secret)| secret)
                .map_err(|e| anyhow::anyhow!("{e}"))
        }
    };
    let mut reporters = Vec::new();
    for (id, _, grants) in &staff {
        if reporters.len() == 16 {
            break;
        }
        if let Some(Scope::Service(s)) = grants
            .iter()
            .find(|g| g.role == Role::CareWorker)
            .map(|g| g.scope)
        {
            reporters.push((token(*id).await?, s.to_string()));
        }
    }
    anyhow::ensure!(!reporters.is_empty(), "the dataset has no care workers");
    let head_token = token(head).await?;
    store.close().await;
    Ok(Who {
        service: (service.service_id.to_string(), email(rm)),
        person: person.person_id.to_string(),
        head: email(head),
        regional: email(regional),
        board: email(board),
        reporters,
        head_token,
    })
}

/// Times `n` requests made one after another (after one to warm up).
async fn time_requests(
    name: &str,
    path: &str,
    n: usize,
    target: Option<f64>,
    send: impl Fn() -> reqwest::RequestBuilder,
) -> anyhow::Result<Page> {
    let mut latencies = Vec::new();
    for i in 0..=n {
        let t = Instant::now();
        let r = send().send().await?;
        let status = r.status();
        let body = r.bytes().await?;
        anyhow::ensure!(status.is_success(), "{name}: {path} answered {status}");
        anyhow::ensure!(!body.is_empty(), "{name}: {path} answered nothing");
        if i > 0 {
            latencies.push(t.elapsed());
        }
    }
    let latency = stats::summarise(&latencies);
    eprintln!(
        "  {name}: p50 {:.1} ms, p95 {:.1} ms",
        latency.p50_ms, latency.p95_ms
    );
    Ok(Page {
        name: name.to_owned(),
        path: path.to_owned(),
        latency,
        target_p95_ms: target,
    })
}

async fn measure_pages(base: &str, who: &Who, n: usize) -> anyhow::Result<Vec<Page>> {
    let (service, rm) = &who.service;
    let manager = signed_in(base, rm, DEMO_PASSWORD).await?;
    let head = signed_in(base, &who.head, DEMO_PASSWORD).await?;
    let board = signed_in(base, &who.board, DEMO_PASSWORD).await?;
    let regional = signed_in(base, &who.regional, DEMO_PASSWORD).await?;
    let api = reqwest::Client::new();
    let head_token = &who.head_token;
    let mut pages = Vec::new();
    let gets: Vec<(&str, String, &reqwest::Client, Option<f64>, usize)> = vec![
        (
            "Service triage queue",
            format!("/services/{service}/triage"),
            &manager,
            Some(50.0),
            n,
        ),
        (
            "Service incident list",
            format!("/services/{service}/incidents"),
            &manager,
            Some(50.0),
            n,
        ),
        (
            "A person's history",
            format!("/people/{}", who.person),
            &manager,
            Some(50.0),
            n,
        ),
        (
            "Service home page",
            "/".to_owned(),
            &manager,
            Some(100.0),
            n,
        ),
        (
            "Service SPC chart",
            format!("/trends?service={service}"),
            &manager,
            Some(100.0),
            n,
        ),
        (
            "Service safety cross",
            format!("/safety-cross?service={service}"),
            &manager,
            Some(100.0),
            n,
        ),
        (
            "Region home page",
            "/".to_owned(),
            &regional,
            Some(300.0),
            n,
        ),
        (
            "Organisation home page",
            "/".to_owned(),
            &head,
            Some(300.0),
            n,
        ),
        (
            "Organisation SPC chart",
            "/trends".to_owned(),
            &head,
            Some(300.0),
            n,
        ),
        (
            "Organisation triage queue",
            "/triage".to_owned(),
            &head,
            Some(50.0),
            n,
        ),
        (
            "Service duty board",
            format!("/duties?service={service}"),
            &manager,
            Some(50.0),
            n,
        ),
        (
            "Organisation duty board",
            "/duties".to_owned(),
            &head,
            Some(50.0),
            n.min(5),
        ),
        (
            "Lessons-learned meetings, whole organisation",
            "/meetings".to_owned(),
            &head,
            Some(50.0),
            n.min(5),
        ),
        (
            "Monthly board report (HTML)",
            "/reports/board".to_owned(),
            &board,
            None,
            n.min(10),
        ),
        (
            "Monthly board report (PDF)",
            "/reports/board.pdf".to_owned(),
            &board,
            Some(2_000.0),
            n.min(5),
        ),
    ];
    for (name, path, client, target, count) in gets {
        let full = format!("{base}{path}");
        let shown = path
            .replace(service.as_str(), "{service}")
            .replace(who.person.as_str(), "{person}");
        pages.push(time_requests(name, &shown, count, target, || client.get(&full)).await?);
    }
    for (name, path, target) in [
        (
            "Organisation-wide filtered list (API)",
            "/api/v1/incidents?category=fall&status=closed",
            50.0,
        ),
        (
            "Full-text search of what reporters wrote (API)",
            "/api/v1/incidents?q=sensor%20mat",
            100.0,
        ),
    ] {
        let full = format!("{base}{path}");
        pages.push(
            time_requests(name, path, n, Some(target), || {
                api.get(&full).bearer_auth(head_token)
            })
            .await?,
        );
    }
    // The evidence pack: a year of the first service, codes for names.
    let form_page = manager
        .get(format!("{base}/evidence"))
        .send()
        .await?
        .text()
        .await?;
    let csrf =
        server::csrf_in(&form_page).ok_or_else(|| anyhow::anyhow!("no CSRF token on /evidence"))?;
    let today = jiff::Zoned::now().date();
    let from = today.saturating_sub(jiff::Span::new().years(1)).to_string();
    let to = today.to_string();
    let full = format!("{base}/evidence");
    let form = vec![
        ("csrf_token".to_owned(), csrf),
        ("service".to_owned(), service.clone()),
        ("from".to_owned(), from),
        ("to".to_owned(), to),
        ("identify".to_owned(), "codes".to_owned()),
        ("reason".to_owned(), String::new()),
    ];
    pages.push(
        time_requests(
            "CQC evidence pack, a year of one service",
            "/evidence",
            n.min(3),
            None,
            || manager.post(&full).form(&form),
        )
        .await?,
    );
    Ok(pages)
}

/// Report submission through the API at each concurrency.
async fn submit(
    base: &str,
    who: &Who,
    levels: &[usize],
    time: Duration,
) -> anyhow::Result<Vec<load::Loop>> {
    let tokens = Arc::new(who.reporters.clone());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()?;
    let endpoint = format!("{base}/api/v1/incidents");
    let mut out = Vec::new();
    for &clients in levels {
        let (tokens, client, endpoint) = (tokens.clone(), client.clone(), endpoint.clone());
        let op: Op = Arc::new(move |n| {
            let (token, service) = tokens[n % tokens.len()].clone();
            let (client, endpoint) = (client.clone(), endpoint.clone());
            Box::pin(async move {
                let body = serde_json::json!({
                    "kind": "incident",
                    "category": "fall",
                    "service_id": service,
                    "occurred_at": jiff::Timestamp::now()
                        .checked_sub(jiff::SignedDuration::from_mins(20))?
                        .to_string(),
                    "description": "Found on the floor beside the bed by the night carer; said they had got up to use the toilet without their frame.",
                    "immediate_actions": "Checked for injury, helped up with the hoist, observations taken and normal, sensor mat checked.",
                    "details": {"seen": "found_on_floor", "head_struck": "no", "anticoagulant": "no"},
                    "told": ["family"],
                });
                let r = client
                    .post(&endpoint)
                    .bearer_auth(&token)
                    .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                    .json(&body)
                    .send()
                    .await?;
                let status = r.status();
                if status.as_u16() != 201 {
                    anyhow::bail!("{status}: {}", r.text().await.unwrap_or_default());
                }
                Ok(())
            })
        });
        let l = closed_loop(clients, time, op).await?;
        eprintln!(
            "  {clients} clients: {:.0}/s, p99 {:.1} ms, {} errors",
            l.per_second, l.latency.p99_ms, l.errors
        );
        out.push(l);
    }
    Ok(out)
}
