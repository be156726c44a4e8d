//! Several `candour serve` processes on one PostgreSQL database, as a care
//! group runs them: each morning's digest reaches each person once, and
//! each email is sent once, whichever instance gets there first.

use crate::helpers::*;
use crate::smtp::SmtpSink;
use candour::store::Engine;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Instance(Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `candour serve` on `db` with its clock starting at `start`, and
/// waits until it says it is running.
fn serve(db: &str, smtp: &str, start: jiff::Timestamp) -> anyhow::Result<Instance> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["serve", "--database", db, "--listen", "127.0.0.1:0"])
        .args([
            "--smtp-url",
            smtp,
            "--mail-from",
            "Candour <candour@test.example>",
        ])
        .args(["--rehearse-from", &start.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let mut rehearsal = false;
    loop {
        let Some(line) = lines.next().transpose()? else {
            anyhow::bail!("the server stopped before it was running");
        };
        rehearsal |= line.starts_with("Rehearsal: this server's clock starts at");
        if line.starts_with("Candour is running at ") {
            break;
        }
    }
    assert!(rehearsal, "the server says its clock is moved");
    std::thread::spawn(move || for _ in lines {});
    Ok(Instance(child))
}

// The name says postgres: CI runs the PostgreSQL tests by that filter.
#[tokio::test]
async fn two_instances_on_one_postgres_database_send_each_person_one_digest() -> anyhow::Result<()>
{
    if !postgres_available() {
        return Ok(());
    }
    let db = TestDb::new(Engine::Postgres).await?;
    let out = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["demo", "--database", &db.url])
        .output()?;
    assert!(out.status.success(), "{out:?}");
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
            move || serve(&url, &smtp, seven)
        }),
        tokio::task::spawn_blocking({
            let (url, smtp) = (db.url.clone(), sink.url.clone());
            move || serve(&url, &smtp, later)
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
