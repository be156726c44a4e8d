//! The working-day calendar against gov.uk's published bank holidays, and
//! the properties every deadline must have.

use super::*;
use proptest::prelude::*;

/// Bank holidays in England and Wales as gov.uk published them, 2018 to 2030.
const ENGLAND_AND_WALES: [&str; 13] = [
    "2018-01-01 2018-03-30 2018-04-02 2018-05-07 2018-05-28 2018-08-27 2018-12-25 2018-12-26",
    "2019-01-01 2019-04-19 2019-04-22 2019-05-06 2019-05-27 2019-08-26 2019-12-25 2019-12-26",
    "2020-01-01 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28",
    "2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28",
    "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27",
    "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26",
    "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26",
    "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26",
    "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28",
    "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28",
    "2028-01-03 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26",
    "2029-01-01 2029-03-30 2029-04-02 2029-05-07 2029-05-28 2029-08-27 2029-12-25 2029-12-26",
    "2030-01-01 2030-04-19 2030-04-22 2030-05-06 2030-05-27 2030-08-26 2030-12-25 2030-12-26",
];

/// Bank holidays in Scotland as gov.uk published them, 2018 to 2030.
const SCOTLAND: [&str; 13] = [
    "2018-01-01 2018-01-02 2018-03-30 2018-05-07 2018-05-28 2018-08-06 2018-11-30 2018-12-25 2018-12-26",
    "2019-01-01 2019-01-02 2019-04-19 2019-05-06 2019-05-27 2019-08-05 2019-12-02 2019-12-25 2019-12-26",
    "2020-01-01 2020-01-02 2020-04-10 2020-05-08 2020-05-25 2020-08-03 2020-11-30 2020-12-25 2020-12-28",
    "2021-01-01 2021-01-04 2021-04-02 2021-05-03 2021-05-31 2021-08-02 2021-11-30 2021-12-27 2021-12-28",
    "2022-01-03 2022-01-04 2022-04-15 2022-05-02 2022-06-02 2022-06-03 2022-08-01 2022-09-19 2022-11-30 2022-12-26 2022-12-27",
    "2023-01-02 2023-01-03 2023-04-07 2023-05-01 2023-05-08 2023-05-29 2023-08-07 2023-11-30 2023-12-25 2023-12-26",
    "2024-01-01 2024-01-02 2024-03-29 2024-05-06 2024-05-27 2024-08-05 2024-12-02 2024-12-25 2024-12-26",
    "2025-01-01 2025-01-02 2025-04-18 2025-05-05 2025-05-26 2025-08-04 2025-12-01 2025-12-25 2025-12-26",
    "2026-01-01 2026-01-02 2026-04-03 2026-05-04 2026-05-25 2026-06-15 2026-08-03 2026-11-30 2026-12-25 2026-12-28",
    "2027-01-01 2027-01-04 2027-03-26 2027-05-03 2027-05-31 2027-08-02 2027-11-30 2027-12-27 2027-12-28",
    "2028-01-03 2028-01-04 2028-04-14 2028-05-01 2028-05-29 2028-08-07 2028-11-30 2028-12-25 2028-12-26",
    "2029-01-01 2029-01-02 2029-03-30 2029-05-07 2029-05-28 2029-08-06 2029-11-30 2029-12-25 2029-12-26",
    "2030-01-01 2030-01-02 2030-04-19 2030-05-06 2030-05-27 2030-08-05 2030-12-02 2030-12-25 2030-12-26",
];

/// Bank holidays in Northern Ireland as gov.uk published them, 2018 to 2030.
const NORTHERN_IRELAND: [&str; 13] = [
    "2018-01-01 2018-03-19 2018-03-30 2018-04-02 2018-05-07 2018-05-28 2018-07-12 2018-08-27 2018-12-25 2018-12-26",
    "2019-01-01 2019-03-18 2019-04-19 2019-04-22 2019-05-06 2019-05-27 2019-07-12 2019-08-26 2019-12-25 2019-12-26",
    "2020-01-01 2020-03-17 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-07-13 2020-08-31 2020-12-25 2020-12-28",
    "2021-01-01 2021-03-17 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-07-12 2021-08-30 2021-12-27 2021-12-28",
    "2022-01-03 2022-03-17 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-07-12 2022-08-29 2022-09-19 2022-12-26 2022-12-27",
    "2023-01-02 2023-03-17 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-07-12 2023-08-28 2023-12-25 2023-12-26",
    "2024-01-01 2024-03-18 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-07-12 2024-08-26 2024-12-25 2024-12-26",
    "2025-01-01 2025-03-17 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-07-14 2025-08-25 2025-12-25 2025-12-26",
    "2026-01-01 2026-03-17 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-07-13 2026-08-31 2026-12-25 2026-12-28",
    "2027-01-01 2027-03-17 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-07-12 2027-08-30 2027-12-27 2027-12-28",
    "2028-01-03 2028-03-17 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-07-12 2028-08-28 2028-12-25 2028-12-26",
    "2029-01-01 2029-03-19 2029-03-30 2029-04-02 2029-05-07 2029-05-28 2029-07-12 2029-08-27 2029-12-25 2029-12-26",
    "2030-01-01 2030-03-18 2030-04-19 2030-04-22 2030-05-06 2030-05-27 2030-07-12 2030-08-26 2030-12-25 2030-12-26",
];

fn d(s: &str) -> Date {
    s.parse().unwrap_or(date(2000, 1, 1))
}

#[test]
fn bank_holidays_match_what_gov_uk_published() {
    for (nation, years) in [
        (Nation::EnglandAndWales, ENGLAND_AND_WALES),
        (Nation::Scotland, SCOTLAND),
        (Nation::NorthernIreland, NORTHERN_IRELAND),
    ] {
        for (i, line) in years.iter().enumerate() {
            let year = 2018 + i as i16;
            let got: Vec<String> = bank_holidays(nation, year)
                .iter()
                .map(|d| d.to_string())
                .collect();
            assert_eq!(got.join(" "), *line, "{nation:?} {year}");
        }
    }
}

#[test]
fn easter_falls_where_the_tables_put_it() {
    for (year, sunday) in [
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2038, "2038-04-25"),
    ] {
        assert_eq!(easter_sunday(year), d(sunday));
    }
}

#[test]
fn deadlines_skip_weekends_and_bank_holidays() {
    let cal = Calendar::new(Nation::EnglandAndWales, []);
    let at = |s: &str| s.parse::<Timestamp>().unwrap_or(Timestamp::UNIX_EPOCH);
    // Friday afternoon before the Easter weekend: Good Friday, the weekend
    // and Easter Monday pass, so one working day ends on Tuesday.
    assert_eq!(
        cal.deadline(at("2026-04-02T15:00:00Z"), 1).to_string(),
        "2026-04-07T22:59:59.999Z",
        "end of Tuesday 7 April, in British Summer Time"
    );
    // Christmas 2026: Friday 25th and the substitute Monday 28th.
    assert_eq!(cal.add_working_days(d("2026-12-24"), 1), d("2026-12-29"));
    // A report on a Saturday: day 0 is the Saturday; one working day is Monday.
    assert_eq!(cal.add_working_days(d("2026-11-28"), 1), d("2026-11-30"));
    assert_eq!(cal.add_working_days(d("2026-11-28"), 0), d("2026-11-30"));
    // Scotland keeps St Andrew's Day; England does not.
    let scot = Calendar::new(Nation::Scotland, []);
    assert_eq!(scot.add_working_days(d("2026-11-27"), 1), d("2026-12-01"));
    assert_eq!(cal.add_working_days(d("2026-11-27"), 1), d("2026-11-30"));
    // A day the administrator added is skipped too.
    let closed = Calendar::new(Nation::EnglandAndWales, [d("2026-11-30")]);
    assert_eq!(closed.add_working_days(d("2026-11-27"), 1), d("2026-12-01"));
}

#[test]
fn a_day_ends_at_midnight_uk_time_across_the_clock_changes() {
    for (day, end) in [
        ("2026-03-29", "2026-03-29T22:59:59.999Z"), // clocks went forward that morning
        ("2026-10-25", "2026-10-25T23:59:59.999Z"), // clocks went back that morning
        ("2026-01-15", "2026-01-15T23:59:59.999Z"),
        ("2026-07-15", "2026-07-15T22:59:59.999Z"),
    ] {
        assert_eq!(end_of_day(d(day)).to_string(), end, "{day}");
    }
}

fn any_nation() -> impl Strategy<Value = Nation> {
    prop_oneof![
        Just(Nation::EnglandAndWales),
        Just(Nation::Scotland),
        Just(Nation::NorthernIreland)
    ]
}

proptest! {
    #[test]
    fn a_deadline_never_lands_on_a_day_off(nation in any_nation(), offset in 0i64..5_000, n in 0u32..80) {
        let cal = Calendar::new(nation, []);
        let from = add_days(d("2018-01-01"), offset);
        let due = cal.add_working_days(from, n);
        prop_assert!(cal.is_working_day(due));
        prop_assert!(due >= from);
        let at = end_of_day(due).to_zoned(london());
        prop_assert_eq!(at.date(), due);
    }

    #[test]
    fn more_working_days_never_give_an_earlier_deadline(nation in any_nation(), offset in 0i64..5_000, n in 0u32..60, more in 0u32..20) {
        let cal = Calendar::new(nation, []);
        let from = add_days(d("2018-01-01"), offset);
        prop_assert!(cal.add_working_days(from, n + more) >= cal.add_working_days(from, n));
        // Strictly later, except that from a day off, "0 working days" is
        // already the next working day, as is "1".
        if more > 0 && (n > 0 || cal.is_working_day(from)) {
            prop_assert!(cal.add_working_days(from, n + more) > cal.add_working_days(from, n));
        }
    }

    #[test]
    fn a_later_report_is_never_due_earlier(nation in any_nation(), offset in 0i64..5_000, later in 0i64..10, n in 0u32..30) {
        let cal = Calendar::new(nation, []);
        let from = add_days(d("2018-01-01"), offset);
        prop_assert!(cal.add_working_days(add_days(from, later), n) >= cal.add_working_days(from, n));
    }

    #[test]
    fn every_bank_holiday_is_a_weekday(nation in any_nation(), year in 1990i16..2100) {
        for day in bank_holidays(nation, year) {
            prop_assert!(!is_weekend(day));
            prop_assert_eq!(day.year(), year);
        }
    }
}
