//! Candour's XmR charts against an independent implementation of "Making
//! Data Count" (the PyPI package abspc, run by `spc_reference.py`), on fixed
//! series that exercise every rule. Needs `CANDOUR_SPC_PYTHON`: a Python
//! with abspc installed (`.ci/run` makes one). Without it the test says so
//! and passes, except under CI, where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use candour_domain::spc::{Settings, xmr};
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// A deterministic pseudo-random series (a linear congruential generator).
fn noisy(seed: u64, n: usize, level: f64, spread: f64) -> Vec<f64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            level + spread * ((x >> 33) as f64 / f64::from(u32::MAX) - 0.5)
        })
        .map(|v| (v * 10.0).round() / 10.0)
        .collect()
}

fn series() -> Vec<Vec<f64>> {
    let mut all = vec![
        vec![5.0, 6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0, 30.0, 5.0, 4.0],
        vec![
            1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 9.0, 8.0, 9.0, 8.0, 9.0, 8.0, 9.0,
        ],
        vec![
            1.0, 1.0, 1.0, 5.0, 1.0, 1.0, 1.0, 9.0, 9.0, 9.0, 5.0, 9.0, 9.0, 9.0,
        ],
        vec![5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 5.0, 4.0],
        vec![1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0, 2.0],
        [10.0, 11.0]
            .repeat(8)
            .into_iter()
            .chain([12.9, 11.5, 12.9, 10.0, 11.0, 10.0, 11.0, 10.0])
            .collect(),
        vec![2.0; 15],
    ];
    // Monthly falls at a home over five years, with a drop after a change.
    let mut falls = noisy(7, 36, 12.0, 8.0);
    falls.extend(noisy(11, 24, 7.0, 6.0));
    all.push(falls);
    for seed in 1..12 {
        all.push(noisy(
            seed,
            20 + seed as usize * 3,
            20.0,
            10.0 + seed as f64,
        ));
    }
    all
}

#[test]
fn xmr_charts_agree_with_an_independent_implementation() {
    let Ok(python) = std::env::var("CANDOUR_SPC_PYTHON") else {
        assert!(
            std::env::var("CI").is_err(),
            "CANDOUR_SPC_PYTHON is not set: CI must check SPC against the reference"
        );
        eprintln!("skipped: set CANDOUR_SPC_PYTHON to a Python with abspc to run this check");
        return;
    };
    let settings = Settings::default();
    let all = series();
    let charts: Vec<_> = all.iter().map(|v| xmr(v, &settings)).collect();
    let input: Vec<Value> = all
        .iter()
        .zip(&charts)
        .map(|(v, c)| {
            let col = |f: fn(&candour_domain::spc::Point) -> f64| {
                c.points.iter().map(f).collect::<Vec<f64>>()
            };
            json!({
                "values": v,
                "mean": col(|p| p.mean),
                "upper": col(|p| p.upper),
                "lower": col(|p| p.lower),
                "near_upper": col(|p| p.near_upper),
                "near_lower": col(|p| p.near_lower),
                "run_length": settings.run_length,
            })
        })
        .collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spc_reference.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the reference");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the reference failed");
    let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), charts.len());
    let mut flagged = [0usize; 4];
    for (i, (c, r)) in charts.iter().zip(&theirs).enumerate() {
        let p = &c.points[0];
        // abspc multiplies by 3/1.128 = 2.6596; Making Data Count by 2.66.
        let width = (p.upper - p.mean).abs().max(1e-9);
        assert!(
            (p.mean - r["mean"].as_f64().unwrap()).abs() < 1e-9,
            "series {i}: mean"
        );
        assert!(
            ((p.upper - r["upper"].as_f64().unwrap()).abs() / width) < 2e-4,
            "series {i}: upper limit {} against {}",
            p.upper,
            r["upper"]
        );
        assert!(
            ((p.lower - r["lower"].as_f64().unwrap()).abs() / width) < 2e-4,
            "series {i}: lower limit"
        );
        for (k, (rule, ours)) in [
            (
                "astronomical",
                c.points.iter().map(|p| p.astronomical).collect::<Vec<_>>(),
            ),
            ("shift", c.points.iter().map(|p| p.shift).collect()),
            ("trend", c.points.iter().map(|p| p.trend).collect()),
            (
                "two_of_three",
                c.points.iter().map(|p| p.two_of_three).collect(),
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let want: Vec<bool> = r[rule]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_bool().unwrap())
                .collect();
            assert_eq!(ours, want, "series {i}: {rule}");
            flagged[k] += ours.iter().filter(|f| **f).count();
        }
    }
    // The series exercise every rule.
    assert!(flagged.iter().all(|n| *n > 0), "{flagged:?}");
}
