//! One run's results as JSON, and the table in docs/BENCHMARKS.md made
//! from every engine's latest results.

use crate::load::Loop;
use crate::stats::Summary;
use serde::{Deserialize, Serialize};

/// What the dataset held when measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Services.
    pub services: i64,
    /// People using them.
    pub people: i64,
    /// Staff accounts.
    pub staff: i64,
    /// Incidents, near misses and good practice.
    pub incidents: i64,
    /// Incidents assessed for their statutory duties.
    pub assessments: i64,
    /// Investigations.
    pub investigations: i64,
    /// Improvement actions.
    pub actions: i64,
    /// Lessons-learned meetings.
    pub meetings: i64,
    /// Lessons.
    pub lessons: i64,
    /// Seconds `candour demo` took, when this run made it.
    pub generated_seconds: Option<f64>,
    /// The database's size on disk, MiB.
    pub size_mib: f64,
}

/// One page or download, measured one request at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    /// What it is.
    pub name: String,
    /// The request.
    pub path: String,
    /// Latencies.
    pub latency: Summary,
    /// The p95 target, ms, if the issue sets one.
    pub target_p95_ms: Option<f64>,
}

/// One run on one engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// When, UTC.
    pub measured_at: String,
    /// Cores and memory of the machine.
    pub machine: String,
    /// The data.
    pub dataset: Dataset,
    /// From spawning the server to its first answer, ms.
    pub startup_ms: f64,
    /// From spawning the server to the end of its first scheduled run, ms
    /// (`None` if it had not ended after ten minutes, or in results from
    /// before it was measured). Pages are measured after it.
    #[serde(default)]
    pub first_run_ms: Option<f64>,
    /// Resident memory after start-up and the first requests, MiB.
    pub memory_at_rest_mib: f64,
    /// The most resident memory seen while measuring, MiB.
    pub memory_peak_mib: f64,
    /// The most resident memory of the server's typesetting child
    /// processes together, MiB (0 in results from before they existed).
    #[serde(default)]
    pub typesetting_peak_mib: f64,
    /// Raw durable inserts at each concurrency.
    pub floor: Vec<Loop>,
    /// Report submissions over HTTP at each concurrency.
    pub submission: Vec<Loop>,
    /// Pages.
    pub pages: Vec<Page>,
}

/// The targets the issue sets for submission.
pub const RATIO_TARGET: f64 = 0.5;
/// p99 at the highest concurrency, ms.
pub const SUBMISSION_P99_TARGET_MS: f64 = 50.0;
/// Resident memory, MiB.
pub const MEMORY_TARGET_MIB: f64 = 200.0;

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "**missed**" }
}

fn label(engine: &str) -> &str {
    match engine {
        "sqlite" => "SQLite",
        "postgres" => "PostgreSQL",
        other => other,
    }
}

/// The Markdown for these runs (one per engine), between the markers.
pub fn markdown(runs: &[Results]) -> String {
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line("<!-- bench:begin (made by `candour-bench`; edit outside the markers) -->".into());
    for r in runs {
        line(format!(
            "- {}: measured {} on {}.",
            label(&r.engine),
            r.measured_at,
            r.machine
        ));
    }
    line(String::new());
    line("### Dataset".into());
    line(String::new());
    let head: Vec<&str> = runs.iter().map(|r| label(&r.engine)).collect();
    line(format!("| | {} |", head.join(" | ")));
    line(format!("|---|{}", "---:|".repeat(runs.len())));
    let row = |name: &str, f: &dyn Fn(&Results) -> String| {
        format!(
            "| {name} | {} |",
            runs.iter().map(f).collect::<Vec<_>>().join(" | ")
        )
    };
    let d = |f: fn(&Dataset) -> i64| {
        move |r: &Results| candour_domain::display::thousands(f(&r.dataset))
    };
    line(row("Services", &d(|d| d.services)));
    line(row("People using services", &d(|d| d.people)));
    line(row("Staff", &d(|d| d.staff)));
    line(row("Incidents", &d(|d| d.incidents)));
    line(row("Duty assessments", &d(|d| d.assessments)));
    line(row("Investigations", &d(|d| d.investigations)));
    line(row("Improvement actions", &d(|d| d.actions)));
    line(row("Meetings", &d(|d| d.meetings)));
    line(row("Lessons", &d(|d| d.lessons)));
    line(row("Size on disk", &|r| {
        format!("{:.0} MiB", r.dataset.size_mib)
    }));
    line(row("Made by `candour demo` in", &|r| {
        r.dataset
            .generated_seconds
            .map_or("(made earlier)".to_owned(), |s| format!("{:.0} s", s))
    }));
    line(String::new());
    line("### Report submission over HTTP against the raw durable-insert floor".into());
    line(String::new());
    line(format!(
        "Targets: submission at least {:.0}% of the floor; p99 under {SUBMISSION_P99_TARGET_MS:.0} ms at the highest concurrency.",
        RATIO_TARGET * 100.0
    ));
    line(String::new());
    line("| Engine | Clients | Floor, inserts/s | Submission, reports/s | Ratio | p50 ms | p95 ms | p99 ms | Errors | Targets |".into());
    line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|".into());
    for r in runs {
        let top = r.submission.iter().map(|l| l.clients).max().unwrap_or(0);
        for s in &r.submission {
            let floor = r
                .floor
                .iter()
                .find(|f| f.clients == s.clients)
                .map_or(0.0, |f| f.per_second);
            let ratio = if floor > 0.0 {
                s.per_second / floor
            } else {
                0.0
            };
            let mut verdict = format!("ratio {}", met(ratio >= RATIO_TARGET));
            if s.clients == top {
                verdict.push_str(&format!(
                    ", p99 {}",
                    met(s.latency.p99_ms < SUBMISSION_P99_TARGET_MS)
                ));
            }
            line(format!(
                "| {} | {} | {:.0} | {:.0} | {:.0}% | {:.1} | {:.1} | {:.1} | {} | {} |",
                label(&r.engine),
                s.clients,
                floor,
                s.per_second,
                ratio * 100.0,
                s.latency.p50_ms,
                s.latency.p95_ms,
                s.latency.p99_ms,
                s.errors,
                verdict
            ));
        }
    }
    line(String::new());
    line("### Pages, one request at a time (ms)".into());
    line(String::new());
    let mut cols = String::from("| Page | Target p95 |");
    let mut rule = String::from("|---|---:|");
    for r in runs {
        cols.push_str(&format!(" {0} p50 | {0} p95 | {0} |", label(&r.engine)));
        rule.push_str("---:|---:|---|");
    }
    line(cols);
    line(rule);
    let names: Vec<&Page> = runs
        .first()
        .map(|r| r.pages.iter().collect())
        .unwrap_or_default();
    for p in names {
        let target = p.target_p95_ms;
        let mut l = format!(
            "| {} (`{}`) | {} |",
            p.name,
            p.path,
            target.map_or("–".to_owned(), |t| format!("{t:.0}"))
        );
        for r in runs {
            match r.pages.iter().find(|q| q.name == p.name) {
                Some(q) => l.push_str(&format!(
                    " {:.1} | {:.1} | {} |",
                    q.latency.p50_ms,
                    q.latency.p95_ms,
                    target.map_or("", |t| met(q.latency.p95_ms < t))
                )),
                None => l.push_str(" – | – | |"),
            }
        }
        line(l);
    }
    line(String::new());
    line("### The server".into());
    line(String::new());
    line(format!("| | {} |", head.join(" | ")));
    line(format!("|---|{}", "---:|".repeat(runs.len())));
    line(row("Start-up to first answer", &|r| {
        format!("{:.0} ms", r.startup_ms)
    }));
    line(row(
        "Start-up to the end of the first scheduled run (pages are measured after it)",
        &|r| {
            r.first_run_ms
                .map_or_else(|| "not measured".to_owned(), |ms| format!("{:.0} ms", ms))
        },
    ));
    line(row("Resident memory at rest", &|r| {
        format!("{:.0} MiB", r.memory_at_rest_mib)
    }));
    line(row(
        &format!("Most resident memory measured (target under {MEMORY_TARGET_MIB:.0} MiB)"),
        &|r| {
            format!(
                "{:.0} MiB, {}",
                r.memory_peak_mib,
                met(r.memory_peak_mib < MEMORY_TARGET_MIB)
            )
        },
    ));
    line(row(
        "Most resident memory of the typesetting child processes together (no target)",
        &|r| format!("{:.0} MiB", r.typesetting_peak_mib),
    ));
    line("<!-- bench:end -->".into());
    s
}

/// `doc` with the generated block replaced by `block` (appended when absent).
pub fn splice(doc: &str, block: &str) -> String {
    let begin = doc.find("<!-- bench:begin");
    let end = doc.find("<!-- bench:end -->");
    match (begin, end) {
        (Some(b), Some(e)) if e > b => {
            let after = e + "<!-- bench:end -->".len();
            let rest = doc[after..].strip_prefix('\n').unwrap_or(&doc[after..]);
            format!("{}{}{}", &doc[..b], block, rest)
        }
        _ => format!("{doc}\n{block}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(engine: &str, floor: f64, sub: f64, p99: f64, page_p95: f64) -> Results {
        let latency = Summary {
            n: 10,
            p50_ms: 1.0,
            p95_ms: 2.0,
            p99_ms: p99,
            max_ms: p99,
        };
        Results {
            engine: engine.into(),
            measured_at: "2026-11-30".into(),
            machine: "2 cores".into(),
            dataset: Dataset {
                incidents: 2_000_123,
                ..Dataset::default()
            },
            startup_ms: 120.0,
            first_run_ms: Some(2_500.0),
            memory_at_rest_mib: 40.0,
            memory_peak_mib: 90.0,
            typesetting_peak_mib: 300.0,
            floor: vec![Loop {
                clients: 64,
                per_second: floor,
                latency,
                errors: 0,
            }],
            submission: vec![Loop {
                clients: 64,
                per_second: sub,
                latency,
                errors: 0,
            }],
            pages: vec![Page {
                name: "Service triage queue".into(),
                path: "/triage".into(),
                latency: Summary {
                    p95_ms: page_p95,
                    ..latency
                },
                target_p95_ms: Some(50.0),
            }],
        }
    }

    #[test]
    fn each_target_is_judged_met_or_missed() {
        let md = markdown(&[
            run("sqlite", 1000.0, 600.0, 20.0, 10.0),
            run("postgres", 1000.0, 400.0, 80.0, 70.0),
        ]);
        assert!(
            md.contains(
                "| SQLite | 64 | 1000 | 600 | 60% | 1.0 | 2.0 | 20.0 | 0 | ratio met, p99 met |"
            ),
            "{md}"
        );
        assert!(md.contains("| PostgreSQL | 64 | 1000 | 400 | 40% | 1.0 | 2.0 | 80.0 | 0 | ratio **missed**, p99 **missed** |"), "{md}");
        assert!(md.contains("| Service triage queue (`/triage`) | 50 | 1.0 | 10.0 | met | 1.0 | 70.0 | **missed** |"), "{md}");
        assert!(md.contains("| Incidents | 2,000,123 | 2,000,123 |"), "{md}");
    }

    #[test]
    fn the_block_is_replaced_and_the_rest_kept() {
        let doc = "# Benchmarks\n\nIntro.\n\n<!-- bench:begin old -->\nold\n<!-- bench:end -->\n\n## Notes\nKept.\n";
        let out = splice(doc, "<!-- bench:begin -->\nnew\n<!-- bench:end -->\n");
        assert_eq!(
            out,
            "# Benchmarks\n\nIntro.\n\n<!-- bench:begin -->\nnew\n<!-- bench:end -->\n\n## Notes\nKept.\n"
        );
        assert!(splice("# B\n", "X\n").ends_with("\nX\n"));
    }
}
