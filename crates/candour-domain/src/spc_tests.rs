#![allow(clippy::unwrap_used)]

use super::*;
use proptest::prelude::*;

fn flags(c: &Chart, rule: fn(&Point) -> bool) -> Vec<usize> {
    c.points
        .iter()
        .enumerate()
        .filter(|(_, p)| rule(p))
        .map(|(i, _)| i)
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn the_limits_are_the_mean_plus_and_minus_2_66_mean_moving_ranges() {
    // Mean 5; moving ranges 2, 2, 2, 2: mean moving range 2.
    let c = xmr(&[4.0, 6.0, 4.0, 6.0, 5.0 - 0.0 + 0.0], &Settings::default());
    let p = &c.points[0];
    let mean = (4.0 + 6.0 + 4.0 + 6.0 + 5.0) / 5.0;
    let mr = (2.0 + 2.0 + 2.0 + 1.0) / 4.0;
    assert!(close(p.mean, mean));
    assert!(close(p.upper, mean + 2.66 * mr) && close(p.lower, mean - 2.66 * mr));
    assert!(close(p.near_upper, mean + 2.66 * 2.0 / 3.0 * mr));
    assert_eq!(p.moving_range, None);
    assert_eq!(c.points[4].moving_range, Some(1.0));
}

#[test]
fn each_rule_on_a_fixed_series() {
    let s = Settings::default();
    type Rule = fn(&Point) -> bool;
    let cases: [(&str, Vec<f64>, Rule, Vec<usize>); 6] = [
        (
            "a point far above",
            vec![5.0, 6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0, 30.0, 5.0, 4.0],
            |p| p.astronomical,
            vec![9],
        ),
        (
            "seven below the mean, then seven above",
            vec![
                1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 9.0, 8.0, 9.0, 8.0, 9.0, 8.0, 9.0,
            ],
            |p| p.shift,
            (0..14).collect(),
        ),
        (
            "six on one side is not a shift",
            vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 9.0, 8.0, 9.0, 8.0, 9.0, 8.0],
            |p| p.shift,
            vec![],
        ),
        (
            "a point on the mean breaks a run",
            vec![
                1.0, 1.0, 1.0, 5.0, 1.0, 1.0, 1.0, 9.0, 9.0, 9.0, 5.0, 9.0, 9.0, 9.0,
            ],
            |p| p.shift,
            vec![],
        ),
        (
            "seven rising",
            vec![5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 5.0, 4.0],
            |p| p.trend,
            (1..8).collect(),
        ),
        (
            "a tie breaks a trend",
            vec![1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0, 2.0],
            |p| p.trend,
            vec![],
        ),
    ];
    for (what, series, rule, want) in cases {
        assert_eq!(flags(&xmr(&series, &s), rule), want, "{what}");
    }
}

#[test]
fn two_of_three_beyond_the_near_line_on_one_side() {
    // Around 10.7 with a mean moving range near 1.16: the near line is about
    // 12.77 and the limit 13.80, so 12.9 twice in three is near the limit.
    let mut v: Vec<f64> = [10.0, 11.0].repeat(8);
    v.extend([12.9, 11.5, 12.9, 10.0, 11.0, 10.0, 11.0, 10.0]);
    let c = xmr(&v, &Settings::default());
    let p = &c.points[16];
    assert!(p.value > p.near_upper && p.value < p.upper, "{p:?}");
    assert_eq!(flags(&c, |p| p.two_of_three), vec![16, 18]);
    assert_eq!(flags(&c, |p| p.astronomical), Vec::<usize>::new());
}

#[test]
fn variation_follows_the_improvement_direction() {
    let v = vec![5.0, 6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0, 30.0];
    let at = |d: Direction| {
        xmr(
            &v,
            &Settings {
                direction: d,
                ..Settings::default()
            },
        )
    };
    assert_eq!(at(Direction::Decrease).variation, Some(Variation::Concern));
    assert_eq!(
        at(Direction::Increase).variation,
        Some(Variation::Improvement)
    );
    assert_eq!(at(Direction::Neutral).variation, Some(Variation::Neutral));
    // The outlier lifts the mean, so the nine before it are a run below the
    // mean: improvement when lower is better.
    assert!(at(Direction::Decrease).points[0].shift);
    assert_eq!(
        at(Direction::Decrease).points[0].variation,
        Variation::Improvement
    );
}

#[test]
fn assurance_compares_the_target_with_the_latest_limits() {
    let v = vec![10.0, 12.0, 10.0, 8.0, 10.0, 12.0, 10.0, 8.0];
    let at = |t: f64, d: Direction| {
        xmr(
            &v,
            &Settings {
                target: Some(t),
                direction: d,
                ..Settings::default()
            },
        )
        .assurance
    };
    // Falls per month: a target of at most 20 will be met, at most 2 will not.
    assert_eq!(
        at(20.0, Direction::Decrease),
        Some(Assurance::ConsistentlyPass)
    );
    assert_eq!(
        at(2.0, Direction::Decrease),
        Some(Assurance::ConsistentlyFail)
    );
    assert_eq!(
        at(20.0, Direction::Increase),
        Some(Assurance::ConsistentlyFail)
    );
    assert_eq!(at(10.0, Direction::Decrease), Some(Assurance::Inconsistent));
    assert_eq!(at(10.0, Direction::Neutral), None);
}

#[test]
fn rebasing_recalculates_the_limits_from_the_change() {
    // Sensor mats introduced at point 8: falls drop from about 10 to about 4.
    let v = vec![
        10.0, 11.0, 9.0, 10.0, 12.0, 9.0, 10.0, 11.0, 4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 3.0, 4.0,
    ];
    let one = xmr(&v, &Settings::default());
    assert!(one.points[8].shift, "without rebasing, the fall is a shift");
    let rebased = xmr(
        &v,
        &Settings {
            rebase_at: vec![8, 0, 99],
            ..Settings::default()
        },
    );
    assert!(close(rebased.points[0].mean, 10.25));
    assert!(close(rebased.points[8].mean, 4.0));
    assert_eq!(rebased.points[8].moving_range, None);
    assert!(rebased.points.iter().all(|p| !p.shift));
}

#[test]
fn short_and_flat_series() {
    assert!(xmr(&[], &Settings::default()).points.is_empty());
    let one = xmr(&[3.0], &Settings::default());
    assert!(close(one.points[0].upper, 3.0) && !one.points[0].special());
    let flat = xmr(&[2.0; 20], &Settings::default());
    assert!(flat.points.iter().all(|p| !p.special()), "all on the mean");
}

proptest! {
    /// The limits are symmetric about the mean and ordered.
    #[test]
    fn limits_are_symmetric(v in proptest::collection::vec(0.0f64..100.0, 1..40)) {
        for p in xmr(&v, &Settings::default()).points {
            prop_assert!((p.upper - p.mean - (p.mean - p.lower)).abs() < 1e-6);
            prop_assert!(p.lower <= p.near_lower && p.near_lower <= p.mean);
            prop_assert!(p.mean <= p.near_upper && p.near_upper <= p.upper);
        }
    }

    /// Changing the units (a positive scale and a shift) changes no flag.
    #[test]
    fn the_rules_do_not_depend_on_units(
        v in proptest::collection::vec(0u32..50, 1..40), scale in 1u32..10, shift in 0u32..100,
    ) {
        let a: Vec<f64> = v.iter().map(|x| f64::from(*x)).collect();
        let b: Vec<f64> = v.iter().map(|x| f64::from(*x * scale + shift)).collect();
        let (ca, cb) = (xmr(&a, &Settings::default()), xmr(&b, &Settings::default()));
        for (p, q) in ca.points.iter().zip(&cb.points) {
            prop_assert_eq!(
                (p.astronomical, p.shift, p.trend, p.two_of_three, p.variation),
                (q.astronomical, q.shift, q.trend, q.two_of_three, q.variation)
            );
        }
    }

    /// Turning the series upside down and the better direction round
    /// leaves improvement and concern where they were.
    #[test]
    fn mirroring_keeps_improvement_and_concern(v in proptest::collection::vec(0u32..50, 1..40)) {
        let a: Vec<f64> = v.iter().map(|x| f64::from(*x)).collect();
        let b: Vec<f64> = a.iter().map(|x| -x).collect();
        let up = xmr(&a, &Settings { direction: Direction::Increase, ..Settings::default() });
        let down = xmr(&b, &Settings { direction: Direction::Decrease, ..Settings::default() });
        for (p, q) in up.points.iter().zip(&down.points) {
            prop_assert_eq!(p.variation, q.variation);
        }
    }
}

#[test]
fn monthly_counts_use_uk_months_and_keep_empty_months() {
    let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let times = [
        t("2026-03-28T23:30:00Z"), // 28 Mar in UK time (GMT)
        t("2026-03-31T23:30:00Z"), // 1 Apr 00:30 BST
        t("2026-04-30T23:30:00Z"), // 1 May 00:30 BST
        t("2026-04-15T12:00:00Z"),
        t("2025-01-01T00:00:00Z"), // before the window
    ];
    let c = monthly_counts(&times, "2026-03-10".parse().unwrap(), 4);
    let counts: Vec<u32> = c.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, [1, 2, 1, 0]);
    assert_eq!(c[3].0, "2026-06-01".parse::<jiff::civil::Date>().unwrap());
}

#[test]
fn charts_are_read_in_plain_words() {
    let falls = |values: &[f64]| {
        xmr(
            values,
            &Settings {
                direction: Direction::Decrease,
                ..Settings::default()
            },
        )
    };
    assert_eq!(
        interpret(&falls(&[]), "falls", "November 2026"),
        "No falls recorded yet: nothing to read."
    );
    let steady = falls(&[5.0, 6.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0]);
    let words = interpret(&steady, "falls", "November 2026");
    assert!(
        words.starts_with("5 falls in November 2026, within the usual range of"),
        "{words}"
    );
    assert!(words.ends_with("no sign of change (common cause variation)."));
    let spike = falls(&[5.0, 6.0, 4.0, 5.0, 6.0, 5.0, 4.0, 5.0, 6.0, 5.0, 4.0, 30.0]);
    let words = interpret(&spike, "falls", "November 2026");
    assert!(
        words.starts_with("November 2026: 30 falls, above the upper process limit of"),
        "{words}"
    );
    assert!(words.ends_with("This is a concern: look at what changed."));
    let falling = falls(&[
        9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.5, 3.0,
    ]);
    let words = interpret(&falling, "falls", "November 2026");
    assert!(
        words.starts_with(
            "Falls have fallen in each of the last 7 periods, to 3 in November 2026: a trend."
        ),
        "{words}"
    );
    assert!(words.ends_with("This is an improvement."), "{words}");
    let shifted = falls(&[
        2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 2.0, 6.0, 7.0, 6.0, 7.0, 6.0, 7.0, 6.0,
    ]);
    let words = interpret(&shifted, "falls", "November 2026");
    assert!(
        words.starts_with("The last 7 periods have all been above the average of"),
        "{words}"
    );
}

#[test]
fn weekly_counts_run_monday_to_sunday_in_uk_time() {
    let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
    let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    let times = [
        // Sunday 29 Mar 2026, 23:30 BST is still Sunday in the UK (22:30 UTC).
        at("2026-03-29T22:30:00Z"),
        // Sunday 29 Mar 2026 23:30 UTC is Monday 30 Mar 00:30 BST.
        at("2026-03-29T23:30:00Z"),
        at("2026-04-01T12:00:00Z"),
    ];
    let weeks = super::weekly_counts(&times, d("2026-03-25"), 3);
    assert_eq!(
        weeks,
        vec![
            (d("2026-03-23"), 1),
            (d("2026-03-30"), 2),
            (d("2026-04-06"), 0)
        ]
    );
}

#[test]
fn a_change_rebases_from_the_first_whole_period_after_it() {
    let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
    let months = [
        d("2026-01-01"),
        d("2026-02-01"),
        d("2026-03-01"),
        d("2026-04-01"),
    ];
    let cases: [(&[&str], &[usize]); 6] = [
        (&["2026-02-01"], &[1]),
        (&["2026-02-15"], &[2]),
        (&["2026-01-01"], &[]),
        (&["2025-06-01"], &[]),
        (&["2026-05-01"], &[]),
        (&["2026-03-01", "2026-02-20", "2026-02-01"], &[1, 2]),
    ];
    for (changes, want) in cases {
        let changes: Vec<_> = changes.iter().map(|c| d(c)).collect();
        assert_eq!(
            super::rebase_indices(&months, &changes),
            want,
            "{changes:?}"
        );
    }
}

#[test]
fn rates_are_per_thousand_and_unknown_without_a_denominator() {
    let r = super::rates_per_thousand(&[3, 0, 2, 5], &[Some(1500), Some(900), None, Some(0)]);
    assert_eq!(r, vec![Some(2.0), Some(0.0), None, None]);
}

#[test]
fn the_run_length_setting_is_a_whole_number_in_range() {
    let v = |s: &str| {
        super::ChartSettingsDraft {
            run_length: s.into(),
        }
        .validate()
    };
    assert_eq!(v(" 8 ").map(|s| s.run_length), Ok(8));
    assert_eq!(v("5").map(|s| s.run_length), Ok(5));
    for bad in ["4", "13", "seven", "", "7.5"] {
        let e = v(bad).unwrap_err();
        assert_eq!(e.0[0].field, "run_length", "{bad:?}");
    }
}

#[test]
fn a_longer_run_length_needs_a_longer_shift() {
    // Seven points below the mean, then seven above.
    let values = [
        1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0,
    ];
    let seven = xmr(&values, &Settings::default());
    assert!(seven.points.iter().all(|p| p.shift));
    let eight = xmr(
        &values,
        &Settings {
            run_length: 8,
            ..Settings::default()
        },
    );
    assert!(eight.points.iter().all(|p| !p.shift));
}
