//! The time source. Nothing calls `Timestamp::now()` directly except
//! [`SystemClock`] and [`ShiftedClock`]; tests pass a [`FixedClock`] they
//! can move.

use jiff::Timestamp;
use std::sync::{Arc, Mutex};

/// Tells the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The machine's clock moved to start at another instant and run on from
/// there: for rehearsing a morning's digest or a month's reports on a copy
/// of the database (`candour serve --rehearse-from`), never for live use.
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock {
    shift: jiff::SignedDuration,
}

impl ShiftedClock {
    /// A clock that reads `start` now.
    pub fn starting_at(start: Timestamp) -> Self {
        ShiftedClock {
            shift: start.duration_since(Timestamp::now()),
        }
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.shift)
            .unwrap_or_else(|_| Timestamp::now())
    }
}

/// A clock that stands still until moved (for tests).
#[derive(Debug, Clone)]
pub struct FixedClock(Arc<Mutex<Timestamp>>);

impl FixedClock {
    /// A clock showing `at`.
    pub fn new(at: Timestamp) -> Self {
        FixedClock(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        if let Ok(mut t) = self.0.lock() {
            *t = t
                .checked_add(jiff::SignedDuration::from_secs(seconds))
                .unwrap_or(*t);
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|p| *p.into_inner())
    }
}

#[cfg(test)]
mod shifted_tests {
    use super::*;

    #[test]
    fn a_shifted_clock_starts_where_it_is_told_and_runs_on() -> Result<(), jiff::Error> {
        let start: Timestamp = "2030-06-01T07:00:00Z".parse()?;
        let clock = ShiftedClock::starting_at(start);
        let first = clock.now();
        let drift = first.duration_since(start).as_secs();
        assert!((0..60).contains(&drift), "read {first}");
        assert!(clock.now() >= first, "it runs on, never back");
        Ok(())
    }
}
