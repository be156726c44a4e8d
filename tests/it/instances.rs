//! Several `candour serve` processes on one PostgreSQL database, as a care
//! group runs them: each morning's digest reaches each person once, and
//! each email is sent once, whichever instance gets there first.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::store::Engine;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Instance(Child, String);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Instance {
    /// Its address, like `http://127.0.0.1:40123`.
    fn base(&self) -> &str {
        &self.1
    }
}

/// Starts `candour serve` on `db` with its clock starting at `start` (or
/// the real time), and waits until it says it is running.
fn serve(db: &str, smtp: &str, start: Option<jiff::Timestamp>) -> anyhow::Result<Instance> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_candour"));
    command
        .args(["serve", "--database", db, "--listen", "127.0.0.1:0"])
        .args([
            "--smtp-url",
            smtp,
            "--mail-from",
            "Candour <candour@test.example>",
        ]);
    if let Some(start) = start {
        command.args(["--rehearse-from", &start.to_string()]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut rehearsal = false;
    let base = loop {
        let Some(line) = lines.next().transpose()? else {
            anyhow::bail!("the server stopped before it was running");
        };
        rehearsal |= line.starts_with("Rehearsal: this server's clock starts at");
        if let Some(rest) = line.strip_prefix("Candour is running at ") {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_owned();
        }
    };
    assert_eq!(
        rehearsal,
        start.is_some(),
        "the server says when its clock is moved"
    );
    std::thread::spawn(move || for _ in lines {});
    // The same process started itself again with one allocator arena (or
    // the operator's choice), keeping its name and arguments.
    let want = std::env::var("MALLOC_ARENA_MAX").unwrap_or_else(|_| "1".to_owned());
    let environ = std::fs::read(format!("/proc/{}/environ", child.id()))?;
    assert!(
        environ
            .split(|b| *b == 0)
            .any(|v| v == format!("MALLOC_ARENA_MAX={want}").as_bytes()),
        "serve runs with MALLOC_ARENA_MAX={want}"
    );
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id()))?;
    assert!(
        cmdline.starts_with(env!("CARGO_BIN_EXE_candour").as_bytes()),
        "{}",
        String::from_utf8_lossy(&cmdline)
    );
    Ok(Instance(child, base))
}

/// A fresh PostgreSQL database filled by `candour demo`, or `None` when no
/// PostgreSQL is configured for the tests.
async fn demo_on_postgres() -> anyhow::Result<Option<TestDb>> {
    if !postgres_available() {
        return Ok(None);
    }
    let db = TestDb::new(Engine::Postgres).await?;
    let out = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["demo", "--database", &db.url])
        .output()?;
    assert!(out.status.success(), "{out:?}");
    Ok(Some(db))
}

// The name says postgres: CI runs the PostgreSQL tests by that filter.
#[tokio::test]
async fn two_instances_on_one_postgres_database_send_each_person_one_digest() -> anyhow::Result<()>
{
    let Some(db) = demo_on_postgres().await? else {
        return Ok(());
    };
    let sink = SmtpSink::start()?;
    // Tomorrow's digest time, UK: the two instances' clocks are half a
    // minute apart, so each claims its own minute of scheduled work and
    // both try to queue the same day's digest.
    let tomorrow = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get("Europe/London")?)
        .date()
        .tomorrow()?;
    let seven = tomorrow
        .at(7, 0, 20, 0)
        .to_zoned(jiff::tz::TimeZone::get("Europe/London")?)?
        .timestamp();
    let later = seven.checked_add(jiff::SignedDuration::from_secs(60))?;
    let (a, b) = tokio::join!(
        tokio::task::spawn_blocking({
            let (url, smtp) = (db.url.clone(), sink.url.clone());
            move || serve(&url, &smtp, Some(seven))
        }),
        tokio::task::spawn_blocking({
            let (url, smtp) = (db.url.clone(), sink.url.clone());
            move || serve(&url, &smtp, Some(later))
        }),
    );
    let (_a, _b) = (a??, b??);

    let store = db.store().await?;
    let minute = |t: jiff::Timestamp| t.strftime("%Y-%m-%dT%H:%M").to_string();
    let digests = || async {
        let mut all = Vec::new();
        for org in store.organisation_ids().await? {
            all.extend(
                store
                    .emails(org)
                    .await?
                    .into_iter()
                    .filter(|e| e.subject.starts_with("Candour daily digest")),
            );
        }
        anyhow::Ok(all)
    };
    // Wait until both instances have done their minute's work and every
    // digest has gone.
    let mut queued = Vec::new();
    for _ in 0..300 {
        let both_ran = store.slot_taken("breach_sweep", &minute(seven)).await?
            && store.slot_taken("breach_sweep", &minute(later)).await?;
        queued = digests().await?;
        if both_ran && !queued.is_empty() && queued.iter().all(|e| e.state == "sent") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        store.slot_taken("breach_sweep", &minute(seven)).await?
            && store.slot_taken("breach_sweep", &minute(later)).await?,
        "both instances ran their minute's scheduled work"
    );
    assert!(!queued.is_empty(), "the demo's managers get a digest");
    assert!(queued.iter().all(|e| e.state == "sent"), "{queued:?}");
    let mut per_person: BTreeMap<String, usize> = BTreeMap::new();
    for e in &queued {
        *per_person.entry(e.to.to_lowercase()).or_default() += 1;
    }
    assert!(
        per_person.values().all(|n| *n == 1),
        "one digest each in the outbox: {per_person:?}"
    );
    // Give a second send a chance to happen before counting what arrived.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mut arrived: BTreeMap<String, usize> = BTreeMap::new();
    for m in sink.received() {
        if m.data.contains("Subject: Candour daily digest") {
            for to in &m.to {
                *arrived.entry(to.to_lowercase()).or_default() += 1;
            }
        }
    }
    assert_eq!(
        arrived.keys().collect::<Vec<_>>(),
        per_person.keys().collect::<Vec<_>>(),
        "everyone's digest arrived"
    );
    assert!(
        arrived.values().all(|n| *n == 1),
        "each arrived once: {arrived:?}"
    );
    Ok(())
}

/// Signs in on the instance at `base` with a fresh form, through `client`.
async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    (email, password): (&str, &str),
) -> anyhow::Result<reqwest::Response> {
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned();
    Ok(client
        .post(format!("{base}/login"))
        .header("Origin", base)
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await?)
}

/// A browser that keeps cookies and shows redirects.
fn browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

// The name says postgres: CI runs the PostgreSQL tests by that filter.
#[tokio::test]
async fn two_instances_on_one_postgres_database_share_reports_sessions_and_limits()
-> anyhow::Result<()> {
    let Some(db) = demo_on_postgres().await? else {
        return Ok(());
    };
    let manager = "priya.mensah@brightwater.example";
    let token = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["token", "create", "--database", &db.url])
        .args(["--email", manager, "--label", "two instances"])
        .output()?;
    assert!(token.status.success(), "{token:?}");
    let token = String::from_utf8(token.stdout)?.trim().to_owned();
    let sink = SmtpSink::start()?;
    let (a, b) = tokio::join!(
        tokio::task::spawn_blocking({
            let (url, smtp) = (db.url.clone(), sink.url.clone());
            move || serve(&url, &smtp, None)
        }),
        tokio::task::spawn_blocking({
            let (url, smtp) = (db.url.clone(), sink.url.clone());
            move || serve(&url, &smtp, None)
        }),
    );
    let (a, b) = (a??, b??);
    assert_ne!(a.base(), b.base());
    let store = db.store().await?;
    let service = store
        .user_by_email(manager)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo manager"))?;
    let grants = store.grants(service.user_id).await?;
    let service = match grants.first().map(|g| g.scope) {
        Some(candour_domain::role::Scope::Service(s)) => s,
        other => anyhow::bail!("the demo manager's grant is {other:?}"),
    };

    // Reports alternately through each instance; the same idempotency key
    // sent to the other instance gives back the same report.
    let http = reqwest::Client::new();
    let mut references = Vec::new();
    for i in 0..10 {
        let at = if i % 2 == 0 { a.base() } else { b.base() };
        let body = serde_json::json!({
            "kind": "near_miss", "category": "environment", "service_id": service.to_string(),
            "occurred_at": "2026-11-23T08:00:00Z",
            "description": format!("Two instances, report {i}: wet floor by the lift"),
        });
        let key = format!("two-instances-{i}");
        let first = http
            .post(format!("{at}/api/v1/incidents"))
            .bearer_auth(&token)
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await?;
        assert_eq!(first.status(), 201, "report {i} through {at}");
        let first: serde_json::Value = first.json().await?;
        let other = if i % 2 == 0 { b.base() } else { a.base() };
        let again = http
            .post(format!("{other}/api/v1/incidents"))
            .bearer_auth(&token)
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await?;
        assert_eq!(
            again
                .headers()
                .get("idempotent-replayed")
                .map(|v| v.as_bytes()),
            Some(&b"true"[..]),
            "the key is known to the other instance"
        );
        let again: serde_json::Value = again.json().await?;
        assert_eq!(again["reference"], first["reference"]);
        references.push(first["reference"].as_str().unwrap_or_default().to_owned());
    }
    let mut unique = references.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "{references:?}");
    let org = store
        .organisation_ids()
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no organisation"))?;
    for r in &references {
        let reference = candour_domain::incident::IncidentReference::parse(r)
            .ok_or_else(|| anyhow::anyhow!("{r:?} is not a reference"))?;
        assert!(
            store.incident_by_reference(org, reference).await?.is_some(),
            "{r}"
        );
    }

    // Signed in on one instance, signed in on the other.
    let web = browser()?;
    let signed_in = sign_in(&web, a.base(), (manager, "learning-from-care")).await?;
    assert_eq!(signed_in.status(), 303);
    let home = web.get(format!("{}/", b.base())).send().await?;
    assert_eq!(home.status(), 200, "the session from A is good on B");
    assert!(home.text().await?.contains("Sign out"));

    // Failed sign-ins count across both: five spread over the two lock the account.
    let worker = "zainab.moore@brightwater.example";
    for i in 0..5 {
        let at = if i % 2 == 0 { a.base() } else { b.base() };
        let resp = sign_in(&browser()?, at, (worker, "not the password at all")).await?;
        assert_ne!(resp.status(), 303, "attempt {i} is refused");
    }
    let locked = sign_in(&browser()?, a.base(), (worker, "learning-from-care")).await?;
    assert_ne!(locked.status(), 303, "locked, even with the right password");
    assert!(
        locked.text().await?.contains("15 minutes"),
        "says for how long"
    );
    Ok(())
}
