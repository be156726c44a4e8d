//! When and where things happen (issue 6, "other views"): counts by day of
//! the week and time of day, by shift, and by place, in UK time. Pure.

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

/// Hours in each time-of-day block (eight blocks of three hours).
pub const BLOCK_HOURS: i8 = 3;

/// The shifts and the hours they start (UNCONFIRMED defaults: services
/// keep different rotas): early 07:00, late 14:00, night 21:00.
pub const SHIFTS: [(&str, i8); 3] = [
    ("Early (07:00 to 14:00)", 7),
    ("Late (14:00 to 21:00)", 14),
    ("Night (21:00 to 07:00)", 21),
];

/// The days of the week, Monday first, as a page names them.
pub const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Counts by day and time of day, and by shift.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Patterns {
    /// `grid[day][block]`: Monday first; blocks of [`BLOCK_HOURS`] from midnight.
    pub grid: [[u32; 8]; 7],
    /// By shift, in the order of [`SHIFTS`].
    pub shifts: [u32; 3],
    /// How many in all.
    pub total: u32,
}

/// The shift an hour of the day falls in.
pub fn shift_of(hour: i8) -> usize {
    match hour {
        h if h >= SHIFTS[2].1 || h < SHIFTS[0].1 => 2,
        h if h >= SHIFTS[1].1 => 1,
        _ => 0,
    }
}

/// Counts `times` in the time zone `tz`.
pub fn patterns(times: &[Timestamp], tz: &TimeZone) -> Patterns {
    let mut p = Patterns::default();
    for t in times {
        let z = t.to_zoned(tz.clone());
        let day = match z.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        let block = usize::try_from(z.hour() / BLOCK_HOURS).unwrap_or(0).min(7);
        p.grid[day][block] += 1;
        p.shifts[shift_of(z.hour())] += 1;
        p.total += 1;
    }
    p
}

/// A shade from 0 (none) to 4 (the busiest) for a count, relative to the
/// largest; the count itself is always shown beside it.
pub fn shade(n: u32, max: u32) -> u8 {
    if n == 0 || max == 0 {
        return 0;
    }
    let step = (u64::from(n) * 4).div_ceil(u64::from(max));
    u8::try_from(step.clamp(1, 4)).unwrap_or(4)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn uk() -> TimeZone {
        TimeZone::get("Europe/London").unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn counts_fall_in_uk_days_hours_and_shifts() {
        let p = patterns(
            &[
                // Wednesday 1 Jul 2026, 06:30 UTC is 07:30 BST: early shift, the 06:00 block.
                at("2026-07-01T06:30:00Z"),
                // Sunday 29 Nov 2026, 23:59 GMT: night, the 21:00 block.
                at("2026-11-29T23:59:00Z"),
                // Monday 30 Nov 2026, 00:00 GMT: a new day, still the night shift.
                at("2026-11-30T00:00:00Z"),
                // Monday 30 Nov 2026, 14:00: the late shift begins.
                at("2026-11-30T14:00:00Z"),
            ],
            &uk(),
        );
        assert_eq!(p.grid[2][2], 1, "Wednesday 06:00-09:00");
        assert_eq!(p.grid[6][7], 1, "Sunday 21:00-24:00");
        assert_eq!(p.grid[0][0], 1, "Monday 00:00-03:00");
        assert_eq!(p.grid[0][4], 1, "Monday 12:00-15:00");
        assert_eq!(p.shifts, [1, 1, 2]);
        assert_eq!(p.total, 4);
    }

    #[test]
    fn shift_boundaries() {
        assert_eq!(shift_of(6), 2);
        assert_eq!(shift_of(7), 0);
        assert_eq!(shift_of(13), 0);
        assert_eq!(shift_of(14), 1);
        assert_eq!(shift_of(20), 1);
        assert_eq!(shift_of(21), 2);
        assert_eq!(shift_of(0), 2);
    }

    #[test]
    fn shades_rise_with_the_count() {
        assert_eq!(shade(0, 10), 0);
        assert_eq!(shade(1, 10), 1);
        assert_eq!(shade(5, 10), 2);
        assert_eq!(shade(10, 10), 4);
        assert_eq!(shade(3, 0), 0);
    }

    proptest! {
        /// Every time is counted once in the grid and once in the shifts.
        #[test]
        fn every_time_is_counted_once(secs in proptest::collection::vec(0i64..400_000_000, 0..60)) {
            let times: Vec<Timestamp> = secs
                .iter()
                .map(|s| Timestamp::from_second(1_700_000_000 + s).unwrap())
                .collect();
            let p = patterns(&times, &uk());
            let grid: u32 = p.grid.iter().flatten().sum();
            prop_assert_eq!(grid, p.total);
            prop_assert_eq!(p.shifts.iter().sum::<u32>(), p.total);
            prop_assert_eq!(p.total as usize, times.len());
        }
    }
}
