//! Monthly reports: which calendar month (UK time) a report covers, and when
//! last month's report is sent: 07:00 UK time on the first working day of
//! the month, or later that month if the server was down then.

use crate::calendar::Calendar;
use crate::incident::london;
use jiff::Timestamp;
use jiff::civil::Date;

/// The hour (UK time) monthly reports go on their day.
pub const SEND_HOUR: i8 = 7;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i16,
    month: i8,
}

const NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Month {
    /// A month, if real (years 2000 to 2100).
    pub fn new(year: i16, month: i8) -> Option<Month> {
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(Month { year, month })
    }

    /// Reads `2026-10`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        Month::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// The UK month `now` falls in.
    pub fn containing(now: Timestamp) -> Month {
        let d = now.to_zoned(london()).date();
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The month before.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// `2026-10`, for links and file names.
    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `October 2026`.
    pub fn label(self) -> String {
        let name = NAMES
            .get(usize::try_from(self.month - 1).unwrap_or(0))
            .copied()
            .unwrap_or("");
        format!("{name} {}", self.year)
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        Date::new(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    /// The moment it starts (midnight UK time on the 1st).
    pub fn start(self) -> Timestamp {
        self.first_day()
            .to_zoned(london())
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MIN)
    }

    /// The moment the next month starts: times in the month are `start() <= t < end()`.
    pub fn end(self) -> Timestamp {
        self.next().start()
    }

    /// Its first working day in `cal`.
    pub fn first_working_day(self, cal: &Calendar) -> Date {
        cal.add_working_days(self.first_day(), 0)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// The month whose report is due at `now`: last month, from 07:00 UK time on
/// this month's first working day until the month ends (so a server that
/// was down on the day still sends it; the caller makes it once).
pub fn report_due(now: Timestamp, cal: &Calendar) -> Option<Month> {
    let z = now.to_zoned(london());
    let this = Month::containing(now);
    let day = this.first_working_day(cal);
    let due = z.date() > day || (z.date() == day && z.hour() >= SEND_HOUR);
    due.then(|| this.previous())
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
    fn months_read_and_show_in_words() {
        let oct = Month::parse("2026-10");
        assert_eq!(oct.map(Month::label).as_deref(), Some("October 2026"));
        assert_eq!(oct.map(Month::code).as_deref(), Some("2026-10"));
        for bad in [
            "2026-13", "2026-00", "26-10", "2026-1", "october", "", "1999-12",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        let jan = Month::parse("2027-01");
        assert_eq!(jan.map(|m| m.previous().code()).as_deref(), Some("2026-12"));
    }

    #[test]
    fn a_month_runs_from_uk_midnight_to_uk_midnight() {
        // October 2026 starts in summer time (BST) and ends in GMT.
        let oct = Month::parse("2026-10").unwrap_or(Month {
            year: 2026,
            month: 10,
        });
        assert_eq!(oct.start(), at("2026-09-30T23:00:00Z"));
        assert_eq!(oct.end(), at("2026-11-01T00:00:00Z"));
        assert_eq!(
            Month::containing(at("2026-09-30T23:30:00Z")),
            oct,
            "00:30 BST on 1 Oct"
        );
    }

    #[test]
    fn last_months_report_is_due_from_seven_on_the_first_working_day() {
        let cal = Calendar::new(Nation::EnglandAndWales, []);
        // 1 Nov 2026 is a Sunday: the first working day is Monday 2 Nov.
        assert_eq!(report_due(at("2026-11-01T10:00:00Z"), &cal), None);
        assert_eq!(report_due(at("2026-11-02T06:59:00Z"), &cal), None);
        assert_eq!(
            report_due(at("2026-11-02T07:00:00Z"), &cal)
                .map(Month::code)
                .as_deref(),
            Some("2026-10")
        );
        assert_eq!(
            report_due(at("2026-11-20T15:00:00Z"), &cal)
                .map(Month::code)
                .as_deref(),
            Some("2026-10")
        );
        // 1 Jan 2027 (Friday) is a bank holiday: Monday 4 Jan.
        assert_eq!(report_due(at("2027-01-01T09:00:00Z"), &cal), None);
        assert_eq!(
            report_due(at("2027-01-04T07:00:00Z"), &cal)
                .map(Month::code)
                .as_deref(),
            Some("2026-12")
        );
        // In summer time, 07:00 UK is 06:00 UTC: 3 Aug 2026 is a Monday.
        assert_eq!(
            report_due(at("2026-08-03T06:00:00Z"), &cal)
                .map(Month::code)
                .as_deref(),
            Some("2026-07")
        );
    }

    proptest! {
        #[test]
        fn months_tile_time_and_reports_wait_for_a_working_day(secs in 946_684_800i64..4_102_444_800i64) {
            let t = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
            let m = Month::containing(t);
            prop_assert!(m.start() <= t && t < m.end());
            prop_assert_eq!(m.next().previous(), m);
            prop_assert_eq!(m.end(), m.next().start());
            let cal = Calendar::new(Nation::EnglandAndWales, []);
            if let Some(due) = report_due(t, &cal) {
                prop_assert_eq!(due, m.previous());
                let day = m.first_working_day(&cal);
                prop_assert!(cal.is_working_day(day));
                prop_assert!(t.to_zoned(london()).date() >= day);
            }
        }
    }
}
