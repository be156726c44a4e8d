//! The real server as a child process: how long it takes to start, its
//! resident memory, and signed-in clients.

use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running `candour serve`.
pub struct Server {
    child: Child,
    /// Like `http://127.0.0.1:40123`.
    pub base: String,
    /// From spawning to its first answer on /readyz.
    pub startup: Duration,
    /// Tells when the server's first scheduled run (the minute's work it
    /// does on starting) has finished.
    first_run: tokio::sync::watch::Receiver<bool>,
}

impl Server {
    /// Starts `candour serve` on `url` and waits until it answers.
    pub async fn start(candour: &str, url: &str) -> anyhow::Result<Server> {
        let started = Instant::now();
        let mut child = Command::new(candour)
            .args(["serve", "--database", url, "--listen", "127.0.0.1:0"])
            // The usual logging, and the scheduler's end of each run.
            .env("CANDOUR_LOG", "info,sqlx=warn,candour::jobs=debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout from candour serve"))?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let Some(line) = lines.next_line().await? else {
                anyhow::bail!("candour serve stopped before it was running");
            };
            if let Some(rest) = line.strip_prefix("Candour is running at ") {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_owned();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        // Its log, on standard error.
        let log = child
            .stderr
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stderr from candour serve"))?;
        let (ran, first_run) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            let mut lines = BufReader::new(log).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("scheduled work done") {
                    let _ = ran.send(true);
                }
            }
        });
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{base}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(120),
                "candour serve did not answer /readyz within two minutes"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(Server {
            child,
            base,
            startup: started.elapsed(),
            first_run,
        })
    }

    /// Waits until the server's first scheduled run has finished, at most
    /// `limit`: what it does on starting (on the first working day of a
    /// month, the monthly reports; on SQLite, the night's planner
    /// statistics if not yet gathered) is not what pages are measured
    /// against. Returns how long it waited, or `None` if it gave up.
    pub async fn first_run_done(&mut self, limit: Duration) -> Option<Duration> {
        let started = Instant::now();
        tokio::time::timeout(limit, self.first_run.wait_for(|done| *done))
            .await
            .ok()?
            .ok()?;
        Some(started.elapsed())
    }

    /// Resident memory now, in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.child.id().and_then(rss_of).unwrap_or(0.0)
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops it.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// VmRSS of `pid`, in MiB (Linux).
pub fn rss_of(pid: u32) -> Option<f64> {
    candour::typeset::resident_bytes(pid).map(|bytes| bytes as f64 / 1024.0 / 1024.0)
}

/// A browser-like client signed in as `email`.
pub async fn signed_in(base: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = c.get(format!("{base}/login")).send().await?.text().await?;
    let token = csrf_in(&page).ok_or_else(|| anyhow::anyhow!("no CSRF token on /login"))?;
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        r.status() == 303,
        "signing in as {email} answered {}",
        r.status()
    );
    Ok(c)
}

/// The CSRF token in a page's form.
pub fn csrf_in(html: &str) -> Option<String> {
    let key = "name=\"csrf_token\" value=\"";
    let at = html.find(key)? + key.len();
    Some(html[at..].split('"').next()?.to_owned())
}

/// The resident memory of `pid`'s child processes together, in MiB (Linux):
/// the server's typesetting children.
pub fn children_rss(pid: u32) -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| parent_of(*p) == Some(pid))
        .filter_map(rss_of)
        .sum()
}

/// The parent of `pid` (Linux).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command's name in brackets: state, then the parent's id.
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Samples the resident memory of `pid`, and of its children together,
/// every 100 ms until told to stop; returns the most seen of each.
pub fn sample_peak(
    pid: u32,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<(f64, f64)>,
) {
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        let mut peak: f64 = 0.0;
        let mut children: f64 = 0.0;
        loop {
            peak = peak.max(rss_of(pid).unwrap_or(0.0));
            children = children.max(children_rss(pid));
            tokio::select! {
                _ = &mut rx => break,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
        (peak, children)
    });
    (tx, handle)
}
