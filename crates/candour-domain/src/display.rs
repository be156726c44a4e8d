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

/// A count and its noun, singular for one: "1 report", "2,116 reports".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `n` with its thousands separated by commas, as in 2,116.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_their_thousands_separated() {
        for (n, shown) in [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (2_116, "2,116"),
            (1_234_567, "1,234,567"),
            (-4_500, "-4,500"),
            (i64::MIN, "-9,223,372,036,854,775,808"),
        ] {
            assert_eq!(thousands(n), shown);
        }
    }

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

    #[test]
    fn counts_read_in_the_singular_for_one() {
        assert_eq!(count_of(1, "report", "reports"), "1 report");
        assert_eq!(count_of(0, "report", "reports"), "0 reports");
        assert_eq!(count_of(2116, "person", "people"), "2,116 people");
    }
}
