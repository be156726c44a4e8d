//! Percentiles and throughput from measured latencies.

use std::time::Duration;

/// Latencies of one measured thing, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// How many were measured.
    pub n: usize,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// The value at quantile `q` (0..=1) of `sorted`, nearest rank.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarises `latencies`.
pub fn summarise(latencies: &[Duration]) -> Summary {
    let mut ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    Summary {
        n: ms.len(),
        p50_ms: nearest_rank(&ms, 0.50),
        p95_ms: nearest_rank(&ms, 0.95),
        p99_ms: nearest_rank(&ms, 0.99),
        max_ms: ms.last().copied().unwrap_or(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let d: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let s = summarise(&d);
        assert_eq!(s.n, 100);
        assert!((s.p50_ms - 50.0).abs() < 1e-9);
        assert!((s.p95_ms - 95.0).abs() < 1e-9);
        assert!((s.p99_ms - 99.0).abs() < 1e-9);
        assert!((s.max_ms - 100.0).abs() < 1e-9);
    }

    #[test]
    fn one_or_none() {
        let s = summarise(&[Duration::from_millis(7)]);
        assert!((s.p50_ms - 7.0).abs() < 1e-9 && (s.p99_ms - 7.0).abs() < 1e-9);
        assert_eq!(summarise(&[]).n, 0);
    }
}
