//! Closed-loop load: each client sends its next request when its last one
//! is answered, for a fixed time.

use crate::stats::{Summary, summarise};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One request by client `n`; `Ok` when it succeeded.
pub type Op =
    Arc<dyn Fn(usize) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> + Send + Sync>;

/// What a closed loop measured.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Loop {
    /// Concurrent clients.
    pub clients: usize,
    /// Successful operations per second.
    pub per_second: f64,
    /// Latencies of the successful ones.
    pub latency: Summary,
    /// Operations that failed.
    pub errors: usize,
}

/// Runs `op` from `clients` clients for `time`.
pub async fn closed_loop(clients: usize, time: Duration, op: Op) -> anyhow::Result<Loop> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for n in 0..clients {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = Vec::new();
            let mut errors = 0;
            let mut first_error = None;
            while started.elapsed() < time {
                let t = Instant::now();
                match op(n).await {
                    Ok(()) => ok.push(t.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e.to_string());
                    }
                }
            }
            (ok, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (ok, e, first) = t.await?;
        if let Some(first) = first {
            eprintln!("  client error: {first}");
        }
        all.extend(ok);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Loop {
        clients,
        per_second: all.len() as f64 / elapsed,
        latency: summarise(&all),
        errors,
    })
}
