//! The monthly board report's arithmetic: whether each statutory duty was
//! done in time, tallied by duty, and shares written as "3 of 4 (75%)".

use jiff::Timestamp;

/// Where a required duty stands against its deadline at the moment of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    /// Done by its deadline (or done, where no deadline applies).
    OnTime,
    /// Done, after its deadline.
    Late,
    /// Not done, and past its deadline.
    Overdue,
    /// Not done, and not yet due (or with no deadline).
    Open,
}

/// Whether a duty due at `due` and done at `done` was timely, seen at `at`.
/// Done exactly at the deadline is on time.
pub fn timeliness(due: Option<Timestamp>, done: Option<Timestamp>, at: Timestamp) -> Timeliness {
    match (due, done) {
        (Some(due), Some(done)) if done > due => Timeliness::Late,
        (_, Some(_)) => Timeliness::OnTime,
        (Some(due), None) if at > due => Timeliness::Overdue,
        (_, None) => Timeliness::Open,
    }
}

/// Duties of one kind, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Done in time.
    pub on_time: u32,
    /// Done late.
    pub late: u32,
    /// Not done, past due.
    pub overdue: u32,
    /// Not done, not yet due.
    pub open: u32,
}

impl Tally {
    /// Counts one more.
    pub fn add(&mut self, t: Timeliness) {
        match t {
            Timeliness::OnTime => self.on_time += 1,
            Timeliness::Late => self.late += 1,
            Timeliness::Overdue => self.overdue += 1,
            Timeliness::Open => self.open += 1,
        }
    }

    /// How many were required.
    pub fn required(&self) -> u32 {
        self.on_time + self.late + self.overdue + self.open
    }

    /// Those done in time out of those whose deadline has passed or that are done.
    pub fn on_time_share(&self) -> String {
        share(self.on_time, self.on_time + self.late + self.overdue)
    }
}

/// "3 of 4 (75%)", or "none due" when there is nothing to count.
/// The percentage is rounded to the nearest whole number, halves up.
pub fn share(n: u32, of: u32) -> String {
    if of == 0 {
        return "none due".to_owned();
    }
    let pct = (u64::from(n) * 200 + u64::from(of)) / (2 * u64::from(of));
    format!("{n} of {of} ({pct}%)")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn t(h: i64) -> Timestamp {
        Timestamp::from_second(h * 3600).unwrap()
    }

    #[test]
    fn timeliness_table() {
        let cases = [
            (Some(10), Some(9), 20, Timeliness::OnTime),
            (Some(10), Some(10), 20, Timeliness::OnTime),
            (Some(10), Some(11), 20, Timeliness::Late),
            (None, Some(11), 20, Timeliness::OnTime),
            (Some(10), None, 20, Timeliness::Overdue),
            (Some(10), None, 10, Timeliness::Open),
            (Some(10), None, 5, Timeliness::Open),
            (None, None, 20, Timeliness::Open),
        ];
        for (due, done, at, want) in cases {
            assert_eq!(
                timeliness(due.map(t), done.map(t), t(at)),
                want,
                "due {due:?} done {done:?} at {at}"
            );
        }
    }

    #[test]
    fn shares_round_halves_up() {
        assert_eq!(share(0, 0), "none due");
        assert_eq!(share(3, 4), "3 of 4 (75%)");
        assert_eq!(share(1, 8), "1 of 8 (13%)");
        assert_eq!(share(2, 3), "2 of 3 (67%)");
        assert_eq!(share(1, 3), "1 of 3 (33%)");
        assert_eq!(share(5, 5), "5 of 5 (100%)");
    }

    #[test]
    fn a_tally_counts_each_duty_once() {
        let mut tally = Tally::default();
        for x in [
            Timeliness::OnTime,
            Timeliness::Late,
            Timeliness::Overdue,
            Timeliness::Open,
            Timeliness::OnTime,
        ] {
            tally.add(x);
        }
        assert_eq!(tally.required(), 5);
        assert_eq!(tally.on_time_share(), "2 of 4 (50%)");
    }

    proptest! {
        #[test]
        fn a_share_is_never_above_a_hundred(n in 0u32..1000, extra in 0u32..1000) {
            let s = share(n, n + extra);
            if n + extra > 0 {
                let pct: u32 = s.rsplit('(').next().unwrap().trim_end_matches("%)").parse().unwrap();
                prop_assert!(pct <= 100);
                prop_assert!(extra > 0 || pct == 100);
            }
        }
    }
}
