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

/// How quickly reporters heard back, over a set of reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedbackTimes {
    /// Reports in the set.
    pub reports: i64,
    /// Of those, how many have had feedback.
    pub given: i64,
    /// The median minutes to first feedback, of those given (the lower
    /// middle value when there is an even number).
    pub median_minutes: Option<i64>,
    /// The longest wait, of those given.
    pub longest_minutes: Option<i64>,
}

impl FeedbackTimes {
    /// From the number of reports and the minutes to first feedback of each
    /// report that has had it.
    pub fn of(reports: i64, mut minutes: Vec<i64>) -> FeedbackTimes {
        minutes.sort_unstable();
        FeedbackTimes {
            reports,
            given: minutes.len() as i64,
            median_minutes: minutes.get(minutes.len().saturating_sub(1) / 2).copied(),
            longest_minutes: minutes.last().copied(),
        }
    }

    /// Reports still waiting for feedback.
    pub fn waiting(&self) -> i64 {
        (self.reports - self.given).max(0)
    }
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
    fn feedback_times_take_the_middle_and_the_longest() {
        assert_eq!(
            FeedbackTimes::of(3, vec![]),
            FeedbackTimes {
                reports: 3,
                given: 0,
                median_minutes: None,
                longest_minutes: None
            }
        );
        let t = FeedbackTimes::of(5, vec![600, 30, 2_000]);
        assert_eq!(
            (t.given, t.median_minutes, t.longest_minutes, t.waiting()),
            (3, Some(600), Some(2_000), 2)
        );
        let even = FeedbackTimes::of(4, vec![40, 10, 30, 20]);
        assert_eq!(even.median_minutes, Some(20), "the lower middle");
    }

    proptest! {
        #[test]
        fn the_median_lies_between_the_quickest_and_the_longest(
            minutes in proptest::collection::vec(0i64..100_000, 1..50)
        ) {
            let t = FeedbackTimes::of(minutes.len() as i64, minutes.clone());
            let quickest = *minutes.iter().min().unwrap_or(&0);
            let m = t.median_minutes.unwrap_or(-1);
            prop_assert!(m >= quickest && Some(m) <= t.longest_minutes);
            let below = minutes.iter().filter(|x| **x < m).count();
            prop_assert!(below * 2 < minutes.len(), "at most half are quicker");
            prop_assert_eq!(t.waiting(), 0);
        }
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
