//! Working days: weekends and the bank holidays of a service's nation are
//! not working days. Bank holidays come from the rules of the Banking and
//! Financial Dealings Act 1971 as applied each year (substitute days when a
//! holiday falls at a weekend), plus the one-off days proclaimed since 2020;
//! an administrator can add more (a new one-off, a local closure day).
//!
//! Deadlines are computed here and nowhere else: "within n working days of
//! the report" ends at the last moment of the n-th working day after the day
//! it was reported (Europe/London), so a Friday-afternoon report due in one
//! working day is due by the end of Monday, or Tuesday after a bank holiday.

use crate::incident::london;
use crate::organisation::Nation;
use jiff::Timestamp;
use jiff::civil::{Date, Weekday, date};
use std::collections::BTreeSet;

/// Easter Sunday of `year` (Gregorian; the anonymous algorithm).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn add_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

/// The first `weekday` of a month, or the last when `last`.
fn nth_weekday(year: i16, month: i8, weekday: Weekday, last: bool) -> Date {
    if last {
        let mut d = date(year, month, 1).last_of_month();
        while d.weekday() != weekday {
            d = add_days(d, -1);
        }
        d
    } else {
        let mut d = date(year, month, 1);
        while d.weekday() != weekday {
            d = add_days(d, 1);
        }
        d
    }
}

/// Places holidays that fall at a weekend on the next weekday not already a holiday.
fn with_substitutes(days: &[Date], taken: &mut BTreeSet<Date>) {
    for d in days.iter().filter(|d| !is_weekend(**d)) {
        taken.insert(*d);
    }
    for d in days.iter().filter(|d| is_weekend(**d)) {
        let mut s = add_days(*d, 1);
        while is_weekend(s) || taken.contains(&s) {
            s = add_days(s, 1);
        }
        taken.insert(s);
    }
}

/// One-off bank holidays since 2020, and the usual days they replaced.
/// (date, nations: `e` England and Wales, `s` Scotland, `n` Northern Ireland)
const ONE_OFFS: &[(&str, &str)] = &[
    ("2020-05-08", "esn"), // VE Day 75: the early May holiday moved to a Friday
    ("2022-06-02", "esn"), // the spring holiday moved for the Platinum Jubilee
    ("2022-06-03", "esn"), // Platinum Jubilee
    ("2022-09-19", "esn"), // State funeral of Queen Elizabeth II
    ("2023-05-08", "esn"), // Coronation of King Charles III
    ("2026-06-15", "s"),   // Scotland in the FIFA World Cup
];

/// Usual days that a one-off replaced, so they are not holidays that year.
const MOVED_AWAY: &[&str] = &["2020-05-04", "2022-05-30"];

/// The bank holidays of a nation in a year, as the weekdays they are kept on.
pub fn bank_holidays(nation: Nation, year: i16) -> BTreeSet<Date> {
    let mut taken = BTreeSet::new();
    let easter = easter_sunday(year);
    let fixed_or_moved =
        |d: Date| -> Option<Date> { (!MOVED_AWAY.contains(&d.to_string().as_str())).then_some(d) };
    let mut plain: Vec<Date> = vec![add_days(easter, -2)];
    plain.extend(fixed_or_moved(nth_weekday(year, 5, Weekday::Monday, false)));
    plain.extend(fixed_or_moved(nth_weekday(year, 5, Weekday::Monday, true)));
    match nation {
        Nation::EnglandAndWales | Nation::NorthernIreland => {
            plain.push(add_days(easter, 1));
            plain.push(nth_weekday(year, 8, Weekday::Monday, true));
        }
        Nation::Scotland => plain.push(nth_weekday(year, 8, Weekday::Monday, false)),
    }
    taken.extend(plain);
    with_substitutes(&[date(year, 12, 25), date(year, 12, 26)], &mut taken);
    match nation {
        Nation::Scotland => {
            with_substitutes(&[date(year, 1, 1), date(year, 1, 2)], &mut taken);
            with_substitutes(&[date(year, 11, 30)], &mut taken);
        }
        Nation::NorthernIreland => {
            with_substitutes(&[date(year, 1, 1)], &mut taken);
            with_substitutes(&[date(year, 3, 17)], &mut taken);
            with_substitutes(&[date(year, 7, 12)], &mut taken);
        }
        Nation::EnglandAndWales => with_substitutes(&[date(year, 1, 1)], &mut taken),
    }
    let code = match nation {
        Nation::EnglandAndWales => 'e',
        Nation::Scotland => 's',
        Nation::NorthernIreland => 'n',
    };
    for (day, nations) in ONE_OFFS {
        if let Ok(d) = day.parse::<Date>()
            && d.year() == year
            && nations.contains(code)
        {
            taken.insert(d);
        }
    }
    taken
}

/// Which days are worked: not weekends, not the nation's bank holidays, not
/// the days an administrator added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    nation: Nation,
    added: BTreeSet<Date>,
}

impl Calendar {
    /// The calendar of `nation` with extra non-working days `added`.
    pub fn new(nation: Nation, added: impl IntoIterator<Item = Date>) -> Calendar {
        Calendar {
            nation,
            added: added.into_iter().collect(),
        }
    }

    /// Whether people work on `d`.
    pub fn is_working_day(&self, d: Date) -> bool {
        !is_weekend(d)
            && !self.added.contains(&d)
            && !bank_holidays(self.nation, d.year()).contains(&d)
    }

    /// The `n`-th working day after `from` (`from` itself is day 0, worked or
    /// not); for `n` = 0, `from` if worked, else the next working day.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        if n == 0 {
            while !self.is_working_day(d) {
                d = add_days(d, 1);
            }
            return d;
        }
        let mut left = n;
        while left > 0 {
            d = add_days(d, 1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The deadline "within `n` working days" of `at`: the last millisecond of
    /// the `n`-th working day after `at`'s day, in UK time.
    pub fn deadline(&self, at: Timestamp, n: u32) -> Timestamp {
        let day = at.to_zoned(london()).date();
        end_of_day(self.add_working_days(day, n))
    }
}

/// The last millisecond of a UK calendar day (23:59:59.999 London time,
/// whatever the clocks did that day).
pub fn end_of_day(d: Date) -> Timestamp {
    add_days(d, 1)
        .to_zoned(london())
        .map(|z| z.timestamp())
        .ok()
        .and_then(|t| t.checked_sub(jiff::Span::new().milliseconds(1)).ok())
        .unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
