//! How dates and times are shown to people: British style, Europe/London.

use crate::incident::london;
use jiff::Timestamp;

/// `22 Nov 2026` for the London calendar day of `at`.
pub fn date(at: Timestamp) -> String {
    at.to_zoned(london()).strftime("%-d %b %Y").to_string()
}

/// `22 Nov 2026, 14:30` in London time.
pub fn date_time(at: Timestamp) -> String {
    at.to_zoned(london())
        .strftime("%-d %b %Y, %H:%M")
        .to_string()
}

/// `22 Nov 2026, 14:30` for an instant stored as epoch milliseconds; empty
/// if it is out of range.
pub fn date_time_ms(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(date_time)
        .unwrap_or_default()
}

/// `22 Nov 2026` for a calendar date.
pub fn civil_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %b %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_london_across_the_clock_change() {
        let winter: Timestamp = "2026-11-22T14:30:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let summer: Timestamp = "2026-07-01T23:30:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(date_time(winter), "22 Nov 2026, 14:30");
        assert_eq!(date_time(summer), "2 Jul 2026, 00:30");
        assert_eq!(date(summer), "2 Jul 2026");
    }
}
