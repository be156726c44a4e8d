//! Half-day tallies: how incidents are counted ahead of time so that trend
//! charts over many services add up counts rather than read every incident.
//!
//! The database keeps a count per *bucket*: the UTC day times two, plus one
//! for the hour 23:00 to 24:00 UTC. UK time is UTC (GMT) or UTC+1 (BST) and
//! changes at 01:00 UTC, so every instant of a bucket falls on the same UK
//! day: the hours 00:00 to 23:00 UTC are that UTC day's in either, and the
//! last hour is the same day in GMT and the next in BST, never both. The
//! database computes [`bucket`] in SQL (migration 0038, word for word), and
//! [`uk_day`] maps a bucket back to its UK day.

use crate::incident::london;
use jiff::civil::Date;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;
/// Where a UTC day's last hour starts, in milliseconds into the day.
const LAST_HOUR_MS: i64 = 23 * 3_600_000;

/// The bucket of an instant (milliseconds since 1970): as the SQL computes
/// it, with division and remainder truncating toward zero. Buckets keep time
/// order, and a UK midnight starts its bucket, so "since the start of a UK
/// day" is "from that instant's bucket on".
pub fn bucket(at_ms: i64) -> i64 {
    (at_ms / DAY_MS) * 2 + i64::from(at_ms % DAY_MS >= LAST_HOUR_MS)
}

/// The UK day every instant of `bucket` falls on (`None` out of range).
pub fn uk_day(bucket: i64) -> Option<Date> {
    let day = bucket.div_euclid(2);
    // Any instant inside the bucket tells its UK day: midday for the long
    // part, half past eleven for the last hour.
    let offset = if bucket.rem_euclid(2) == 1 {
        LAST_HOUR_MS + 1_800_000
    } else {
        DAY_MS / 2
    };
    let at =
        jiff::Timestamp::from_millisecond(day.checked_mul(DAY_MS)?.checked_add(offset)?).ok()?;
    Some(at.to_zoned(london()).date())
}

/// Adds up `(bucket, count)` pairs by UK day, oldest first (buckets out of
/// range are left out).
pub fn by_uk_day(tallies: &[(i64, u32)]) -> Vec<(Date, u32)> {
    let mut out: Vec<(Date, u32)> = Vec::new();
    let mut sorted: Vec<(i64, u32)> = tallies.to_vec();
    sorted.sort_unstable();
    for (b, n) in sorted {
        let Some(d) = uk_day(b) else { continue };
        match out.last_mut() {
            Some((last, count)) if *last == d => *count = count.saturating_add(n),
            _ => out.push((d, n)),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day_of(ms: i64) -> Date {
        jiff::Timestamp::from_millisecond(ms)
            .unwrap()
            .to_zoned(london())
            .date()
    }

    #[test]
    fn the_clock_change_hours_fall_on_the_right_uk_day() {
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let d = |s: &str| s.parse::<Date>().unwrap();
        let cases = [
            // GMT: the last UTC hour is the same UK day.
            ("2026-01-15T23:30:00Z", "2026-01-15"),
            ("2026-01-15T00:00:00Z", "2026-01-15"),
            // BST: the last UTC hour is the next UK day.
            ("2026-07-15T23:00:00Z", "2026-07-16"),
            ("2026-07-15T22:59:59.999Z", "2026-07-15"),
            // Clocks go forward at 01:00 UTC on 29 Mar 2026.
            ("2026-03-28T23:30:00Z", "2026-03-28"),
            ("2026-03-29T00:59:00Z", "2026-03-29"),
            ("2026-03-29T23:30:00Z", "2026-03-30"),
            // Clocks go back at 01:00 UTC on 25 Oct 2026.
            ("2026-10-24T23:30:00Z", "2026-10-25"),
            ("2026-10-25T00:30:00Z", "2026-10-25"),
            ("2026-10-25T23:30:00Z", "2026-10-25"),
            // A month starting in BST starts at 23:00 UTC the day before.
            ("2026-04-30T23:00:00Z", "2026-05-01"),
        ];
        for (at, want) in cases {
            assert_eq!(uk_day(bucket(ms(at))), Some(d(want)), "{at}");
        }
    }

    #[test]
    fn counts_are_added_up_by_uk_day() {
        let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let tallies = [
            (bucket(ms("2026-07-16T10:00:00Z")), 2),
            (bucket(ms("2026-07-15T23:10:00Z")), 3),
            (bucket(ms("2026-07-15T08:00:00Z")), 1),
        ];
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            by_uk_day(&tallies),
            [(d("2026-07-15"), 1), (d("2026-07-16"), 5)]
        );
    }

    proptest! {
        /// Every instant from 1970 to 2100 lands in a bucket of its own UK day.
        #[test]
        fn a_bucket_holds_one_uk_day(ms in 0i64..4_102_444_800_000) {
            prop_assert_eq!(uk_day(bucket(ms)), Some(day_of(ms)));
        }

        /// Buckets keep time order, so "since" is a bucket range.
        #[test]
        fn buckets_keep_time_order(a in 0i64..4_102_444_800_000, b in 0i64..4_102_444_800_000) {
            if a <= b {
                prop_assert!(bucket(a) <= bucket(b));
            }
        }
    }
}
