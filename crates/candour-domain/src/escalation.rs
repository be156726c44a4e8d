//! Breaches of timescales and who is told: the registered manager at once,
//! the regional manager when a breach is still open after one more working
//! day, the head of operations after two. Each level is told once.

use crate::calendar::Calendar;
use crate::organisation::code_enum;
use jiff::Timestamp;

code_enum! {
    /// Which target was missed.
    Target {
        /// Triage was not done in time.
        Triage = ("triage", "Triage"),
        /// The review was not finished in time.
        Review = ("review", "Review"),
    }
}

code_enum! {
    /// Who a breach is escalated to, in order.
    Level {
        /// The service's registered manager, at once.
        RegisteredManager = ("registered_manager", "Registered manager"),
        /// The regional manager, after one more working day.
        RegionalManager = ("regional_manager", "Regional manager"),
        /// The head of operations, after two.
        HeadOfOperations = ("head_of_operations", "Head of operations"),
    }
}

/// Every level a breach that happened at `breached_at`, still open, has
/// reached by `now`.
pub fn levels_reached(cal: &Calendar, breached_at: Timestamp, now: Timestamp) -> Vec<Level> {
    if now < breached_at {
        return Vec::new();
    }
    let mut out = vec![Level::RegisteredManager];
    for (days, level) in [(1, Level::RegionalManager), (2, Level::HeadOfOperations)] {
        if now > cal.deadline(breached_at, days) {
            out.push(level);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::Nation;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn a_breach_climbs_a_level_each_working_day_it_stays_open() {
        let cal = Calendar::new(Nation::EnglandAndWales, []);
        // Missed at the end of Friday 27 Nov 2026.
        let missed = at("2026-11-27T23:59:59.999Z");
        assert_eq!(
            levels_reached(&cal, missed, at("2026-11-28T09:00:00Z")),
            [Level::RegisteredManager]
        );
        // Still open after Monday: the regional manager.
        assert_eq!(
            levels_reached(&cal, missed, at("2026-12-01T08:00:00Z")),
            [Level::RegisteredManager, Level::RegionalManager]
        );
        assert_eq!(
            levels_reached(&cal, missed, at("2026-12-02T08:00:00Z")).len(),
            3
        );
        assert!(levels_reached(&cal, missed, at("2026-11-27T12:00:00Z")).is_empty());
    }

    proptest! {
        #[test]
        fn later_never_means_fewer_levels(start in 0i64..100_000, a in 0i64..10_000, b in 0i64..10_000) {
            let cal = Calendar::new(Nation::EnglandAndWales, []);
            let breached = at("2025-01-01T00:00:00Z").checked_add(jiff::Span::new().minutes(start)).unwrap_or(Timestamp::UNIX_EPOCH);
            let (early, late) = (a.min(b), a.max(b));
            let t = |m: i64| breached.checked_add(jiff::Span::new().minutes(m)).unwrap_or(breached);
            prop_assert!(levels_reached(&cal, breached, t(early)).len() <= levels_reached(&cal, breached, t(late)).len());
        }
    }
}
