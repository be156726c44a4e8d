//! Prometheus metrics for `/metrics`: requests by route and status, a latency
//! histogram, the database pool, and the email outbox. Each server has its own recorder (no
//! global state), so tests can run many servers in one process.

use metrics::{Key, Label, Level, Metadata, Recorder};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};

const META: Metadata<'static> = Metadata::new("candour", Level::INFO, Some("candour::web"));

/// Latency buckets in seconds.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// One server's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// A fresh, empty set of metrics.
    pub fn new() -> anyhow::Result<Metrics> {
        let recorder = PrometheusBuilder::new()
            .set_buckets(BUCKETS)
            .map_err(|e| anyhow::anyhow!("metrics buckets: {e}"))?
            .build_recorder();
        Ok(Metrics { recorder })
    }

    /// Counts one request and records how long it took.
    pub fn record_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let labels = vec![
            Label::new("method", method.to_owned()),
            Label::new("route", route.to_owned()),
            Label::new("status", status.to_string()),
        ];
        self.recorder
            .register_counter(
                &Key::from_parts("candour_http_requests_total", labels),
                &META,
            )
            .increment(1);
        let labels = vec![
            Label::new("method", method.to_owned()),
            Label::new("route", route.to_owned()),
        ];
        self.recorder
            .register_histogram(
                &Key::from_parts("candour_http_request_duration_seconds", labels),
                &META,
            )
            .record(seconds);
    }

    /// The Prometheus text exposition, with the pool's current size and the
    /// email outbox (shared by every instance on the database) as it stands.
    pub fn render(
        &self,
        (pool_open, pool_idle): (u32, usize),
        outbox: &crate::store::outbox::OutboxSummary,
        now_ms: i64,
    ) -> String {
        for (state, n) in [
            ("waiting", outbox.waiting),
            ("sent", outbox.sent),
            ("failed", outbox.failed),
        ] {
            self.recorder
                .register_gauge(
                    &Key::from_parts(
                        "candour_email_outbox",
                        vec![Label::new("state", state.to_owned())],
                    ),
                    &META,
                )
                .set(n as f64);
        }
        let oldest = outbox
            .oldest_waiting_ms
            .map_or(0, |t| (now_ms - t).max(0) / 1000);
        self.recorder
            .register_gauge(
                &Key::from_name("candour_email_oldest_waiting_seconds"),
                &META,
            )
            .set(oldest as f64);
        self.recorder
            .register_gauge(&Key::from_name("candour_db_pool_connections"), &META)
            .set(f64::from(pool_open));
        self.recorder
            .register_gauge(&Key::from_name("candour_db_pool_idle_connections"), &META)
            .set(pool_idle as f64);
        self.recorder.handle().render()
    }
}
