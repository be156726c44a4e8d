//! Feedback to the person who reported: "what we found and what we
//! changed". Every report gets it, and the time it took is kept.

use crate::validation::FieldErrors;

/// Longest feedback accepted.
pub const MAX_FEEDBACK: usize = 10_000;

/// Checks feedback text: something must be said, within the limit.
pub fn check_feedback(text: &str) -> Result<String, FieldErrors> {
    let t = text.trim();
    let mut e = FieldErrors::new();
    if t.is_empty() {
        e.add(
            "feedback",
            "Write what you found and what you changed, even if it is that nothing needs to change",
        );
    } else if t.chars().count() > MAX_FEEDBACK {
        e.add(
            "feedback",
            format!("Keep feedback to {MAX_FEEDBACK} characters or fewer"),
        );
    }
    e.into_result(t.to_owned())
}

/// Whole minutes from the report to its first feedback (never negative).
pub fn minutes_to_feedback(reported_at_ms: i64, first_feedback_ms: i64) -> i64 {
    (first_feedback_ms - reported_at_ms).max(0) / 60_000
}

/// A span of minutes as people say it: `45 minutes`, `3 hours 5 minutes`,
/// `2 days 4 hours`, `1 day`.
pub fn describe_minutes(minutes: i64) -> String {
    let plural = |n: i64, one: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    };
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => plural(m, "minute"),
        (0, h, 0) => plural(h, "hour"),
        (0, h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
        (d, 0, _) => plural(d, "day"),
        (d, h, _) => format!("{} {}", plural(d, "day"), plural(h, "hour")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_overlong_feedback_are_named() {
        assert!(check_feedback("  ").is_err());
        assert!(check_feedback(&"a".repeat(MAX_FEEDBACK + 1)).is_err());
        assert_eq!(
            check_feedback(" We moved the chair. ").ok().as_deref(),
            Some("We moved the chair.")
        );
    }

    #[test]
    fn spans_read_as_people_say_them() {
        for (m, want) in [
            (0, "0 minutes"),
            (1, "1 minute"),
            (45, "45 minutes"),
            (60, "1 hour"),
            (185, "3 hours 5 minutes"),
            (1440, "1 day"),
            (1440 * 2 + 240 + 7, "2 days 4 hours"),
            (1440 + 60, "1 day 1 hour"),
        ] {
            assert_eq!(describe_minutes(m), want, "{m}");
        }
    }

    proptest! {
        #[test]
        fn time_to_feedback_is_never_negative(a in 0i64..10_000_000_000, b in 0i64..10_000_000_000) {
            prop_assert!(minutes_to_feedback(a, b) >= 0);
        }
    }
}
