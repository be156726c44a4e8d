//! The README's first command, end to end: `candour serve --demo` on a free
//! port; a care worker signs in and reports a near miss through the HTML
//! form; the registered manager signs in, reads it and gives feedback, which
//! reaches the reporter by email through a real SMTP server. Then the server
//! is killed without warning and the acknowledged report is still there.

use crate::helpers::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    base: String,
    care_worker: String,
    manager: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &std::path::Path, database: Option<&str>, smtp: &str) -> anyhow::Result<Server> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_candour"));
    cmd.current_dir(dir)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .args([
            "--smtp-url",
            smtp,
            "--mail-from",
            "Candour <candour@demo.example>",
        ])
        .args(["--public-url", "https://candour.demo.example"])
        .env_remove("CANDOUR_DATABASE_URL");
    if let Some(db) = database {
        cmd.args(["--database", db]);
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let (mut base, mut care_worker, mut manager) = (None, None, None);
    while let Some(line) = lines.next().transpose()? {
        if let Some(rest) = line.strip_prefix("Candour is running at ") {
            base = rest.split('/').take(3).collect::<Vec<_>>().join("/").into();
        }
        let email = || {
            line.split_whitespace()
                .find(|w| w.contains('@'))
                .map(str::to_owned)
        };
        if line.trim_start().starts_with("Care worker") {
            care_worker = email();
        }
        if line.trim_start().starts_with("Registered manager") {
            manager = email();
        }
        if base.is_some() && care_worker.is_some() && manager.is_some() {
            break;
        }
    }
    // Keep draining stdout so the server never writes into a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok(Server {
        child,
        base: base.ok_or_else(|| anyhow::anyhow!("no URL printed"))?,
        care_worker: care_worker.ok_or_else(|| anyhow::anyhow!("no care worker printed"))?,
        manager: manager.ok_or_else(|| anyhow::anyhow!("no manager printed"))?,
    })
}

db_test!(
    the_demo_serves_a_care_worker_and_a_manager_and_survives_a_crash,
    |engine| {
        let dir = tempfile::tempdir()?;
        let db = match engine {
            candour::store::Engine::Sqlite => None,
            candour::store::Engine::Postgres => Some(TestDb::new(engine).await?),
        };
        let sink = crate::smtp::SmtpSink::start()?;
        let mut server = start(dir.path(), db.as_ref().map(|d| d.url.as_str()), &sink.url)?;
        let worker = Client::browser(&server.base);
        let resp = worker
            .sign_in(&server.care_worker, candour::demo::DEMO_PASSWORD)
            .await?;
        assert_eq!(resp.status(), 303, "the printed care worker can sign in");
        let home = worker.get("/").await?.text().await?;
        assert!(home.contains("Demo data"), "the demo banner shows");
        let form = worker
            .get("/incidents/new?kind=near_miss&category=medication")
            .await?
            .text()
            .await?;
        let token = csrf_in(&form).unwrap();
        let service = {
            let at = form.find("name=\"service_id\" value=\"").unwrap() + 25;
            form[at..].split('"').next().unwrap().to_owned()
        };
        let now = jiff::Timestamp::now().to_zoned(candour_domain::incident::london());
        let resp = worker
            .post_form(
                "/incidents",
                &[
                    ("csrf_token", &token),
                    ("service_id", &service),
                    ("kind", "near_miss"),
                    ("category", "medication"),
                    ("error_type", "wrong_person"),
                    ("occurred_date", &now.date().to_string()),
                    ("occurred_time", &now.time().strftime("%H:%M").to_string()),
                    (
                        "description",
                        "Journey test: insulin pen found in the wrong person's drawer before use.",
                    ),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        let location = resp.headers()["location"].to_str()?.to_owned();
        let reference = location
            .trim_start_matches("/incidents/")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        assert!(
            worker
                .get(&location)
                .await?
                .text()
                .await?
                .contains("Report sent")
        );

        let manager = Client::browser(&server.base);
        assert_eq!(
            manager
                .sign_in(&server.manager, candour::demo::DEMO_PASSWORD)
                .await?
                .status(),
            303
        );
        let list = manager
            .get(&format!("/services/{service}/incidents"))
            .await?
            .text()
            .await?;
        assert!(
            list.contains(&reference),
            "the manager sees {reference} in the service list"
        );
        let page = manager
            .get(&format!("/incidents/{reference}"))
            .await?
            .text()
            .await?;
        assert!(page.contains("insulin pen found in the wrong person"));
        let token = csrf_in(&page).unwrap();
        let resp = manager
            .post_form(
                &format!("/incidents/{reference}/feedback"),
                &[
                    ("csrf_token", &token),
                    ("feedback", "Pens are now kept in named boxes."),
                ],
            )
            .await?;
        assert_eq!(resp.status(), 303);
        // The demo's overdue reviews send their own emails too: find ours.
        let subject = format!("Subject: Feedback on your report {reference}");
        let mut feedback = None;
        for _ in 0..200 {
            feedback = sink
                .received()
                .into_iter()
                .find(|m| m.data.contains(&subject));
            if feedback.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let feedback = feedback.expect("the feedback email reached the SMTP server");
        assert!(
            feedback.data.contains(&format!(
                "https://candour.demo.example/incidents/{reference}"
            )),
            "{}",
            feedback.data
        );

        // Kill without warning: the acknowledged report must be on disk.
        server.child.kill()?;
        server.child.wait()?;
        let url = match &db {
            Some(d) => d.url.clone(),
            None => format!("sqlite://{}/candour-data/demo.db", dir.path().display()),
        };
        let store = candour::store::Store::connect(&url).await?;
        let org = store.organisation_ids().await?[0];
        let found = store
            .incident_by_reference(
                org,
                candour_domain::incident::IncidentReference::parse(&reference).unwrap(),
            )
            .await?;
        assert!(found.is_some_and(|i| i.description.starts_with("Journey test")));
        Ok(())
    }
);

#[tokio::test]
async fn the_server_keeps_running_when_nobody_reads_what_it_prints() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .current_dir(dir.path())
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("CANDOUR_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    drop(child.stdout.take()); // the reader goes away before anything is printed
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server came up");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(reqwest::get(format!("{base}/login")).await?.status(), 200);
    assert!(child.try_wait()?.is_none(), "the server is still running");
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}/candour.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args(["serve", "--database", &db, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().transpose()?.unwrap_or_default();
    assert!(
        first.starts_with("Candour is running at http://127.0.0.1:"),
        "{first}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(status.success());
    let started = std::time::Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        assert!(
            started.elapsed().as_secs() < 15,
            "the server did not stop within 15 s of SIGTERM"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "exit status {exit:?}");
    Ok(())
}

#[tokio::test]
async fn logs_can_be_json_lines_for_a_collector() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}/candour.db", dir.path().display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_candour"))
        .args([
            "--log-format",
            "json",
            "serve",
            "--database",
            &db,
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stderr"))?;
    // Every line is JSON, up to the one that says it is listening (a new
    // database first says where its audit key was made).
    let mut listening = false;
    for line in BufReader::new(stderr).lines().take(10) {
        let line = line?;
        let json: serde_json::Value =
            serde_json::from_str(&line).map_err(|e| anyhow::anyhow!("{e}: {line}"))?;
        if json["fields"]["message"] == "listening" {
            assert_eq!(json["level"], "INFO");
            listening = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(listening, "no line said it was listening");
    Ok(())
}
