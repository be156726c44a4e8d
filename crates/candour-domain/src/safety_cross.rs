//! The monthly safety cross (domain.md §10): one box per day of the month,
//! laid out as a cross, coloured at the end of each day from the records —
//! green for a day with no event, red for a day with an event (the count
//! written in the box), amber for a day with only near misses — with the
//! days still to come left blank; and the days since the last event.

use crate::incident::{Category, EventKind};
use crate::organisation::code_enum;
use jiff::civil::Date;

code_enum! {
    /// What a safety cross counts.
    Measure {
        /// Falls.
        Falls = ("falls", "Falls"),
        /// Pressure ulcers and skin damage.
        PressureUlcers = ("pressure_ulcers", "Pressure ulcers"),
        /// Medication errors.
        MedicationErrors = ("medication_errors", "Medication errors"),
        /// Every incident and near miss.
        AnyIncident = ("any_incident", "Any incident"),
        /// The categories the service's manager chose (one set per service).
        Chosen = ("chosen", "Chosen categories"),
    }
}

/// The categories a service's manager chose for their own cross.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChosenSet {
    /// What the cross is called, such as "Behaviour and self-harm".
    pub name: String,
    /// The categories it counts (codes), in the order chosen.
    pub categories: Vec<String>,
}

impl ChosenSet {
    /// Checks a set as typed: a name, and one category or more that exist.
    pub fn validate(
        name: &str,
        categories: &[String],
    ) -> Result<ChosenSet, crate::validation::FieldErrors> {
        let mut e = crate::validation::FieldErrors::new();
        let name = crate::validation::checked_text(
            &mut e,
            "set_name",
            name,
            60,
            Some("Name the cross, such as \"Behaviour and self-harm\""),
        );
        let mut chosen: Vec<String> = Vec::new();
        for c in categories {
            match Category::parse(c) {
                Some(cat) if !chosen.iter().any(|x| x == cat.code()) => {
                    chosen.push(cat.code().to_owned())
                }
                Some(_) => {}
                None => {
                    e.add("set_categories", format!("{c:?} is not a category"));
                }
            }
        }
        if chosen.is_empty() && e.for_field("set_categories").is_none() {
            e.add("set_categories", "Choose at least one category");
        }
        e.into_result(ChosenSet {
            name,
            categories: chosen,
        })
    }

    /// Whether it counts a category.
    pub fn has(&self, category: Category) -> bool {
        self.categories.iter().any(|c| c == category.code())
    }
}

impl Measure {
    /// Whether a record of this kind and category counts (`chosen` is the
    /// service's own set, for [`Measure::Chosen`]).
    pub fn counts(self, kind: EventKind, category: Category, chosen: Option<&ChosenSet>) -> bool {
        if !matches!(kind, EventKind::Incident | EventKind::NearMiss) {
            return false;
        }
        match self {
            Measure::Falls => category == Category::Fall,
            Measure::PressureUlcers => category == Category::PressureUlcer,
            Measure::MedicationErrors => category == Category::Medication,
            Measure::AnyIncident => true,
            Measure::Chosen => chosen.is_some_and(|set| set.has(category)),
        }
    }
}

/// A day's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// The day has not ended yet.
    Blank,
    /// No event.
    Green,
    /// Only near misses.
    Amber,
    /// At least one event.
    Red,
}

impl Colour {
    /// The colour's name, as printed in the key and read without colour.
    pub fn label(self) -> &'static str {
        match self {
            Colour::Blank => "Still to come",
            Colour::Green => "No event",
            Colour::Amber => "Near miss only",
            Colour::Red => "Event",
        }
    }

    /// The class used to colour it.
    pub fn code(self) -> &'static str {
        match self {
            Colour::Blank => "blank",
            Colour::Green => "green",
            Colour::Amber => "amber",
            Colour::Red => "red",
        }
    }
}

/// One day's box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayBox {
    /// The day of the month.
    pub day: i8,
    /// Events that day.
    pub events: u32,
    /// Near misses that day.
    pub near_misses: u32,
    /// Its colour.
    pub colour: Colour,
    /// Row and column of the cross grid (1-based).
    pub at: (u8, u8),
}

/// Where day `d` (1–31) sits in the cross: a top arm of two rows of three,
/// a band of three rows of seven, and a bottom arm of three and one.
pub fn position(d: i8) -> (u8, u8) {
    let d = d.clamp(1, 31) as u8;
    match d {
        1..=6 => (1 + (d - 1) / 3, 3 + (d - 1) % 3),
        7..=27 => (3 + (d - 7) / 7, 1 + (d - 7) % 7),
        28..=30 => (6, 3 + (d - 28)),
        _ => (7, 4),
    }
}

/// The month's boxes from each record's day and whether it was a near
/// miss; a day ends at midnight, so days from `today` on are blank.
pub fn month(first: Date, records: &[(Date, bool)], today: Date) -> Vec<DayBox> {
    let days = first.days_in_month();
    (1..=days)
        .map(|day| {
            let date = first.with().day(day).build().unwrap_or(first);
            let (events, near_misses) =
                records
                    .iter()
                    .filter(|(d, _)| *d == date)
                    .fold(
                        (0, 0),
                        |(e, n), (_, near)| if *near { (e, n + 1) } else { (e + 1, n) },
                    );
            let colour = if date >= today {
                Colour::Blank
            } else if events > 0 {
                Colour::Red
            } else if near_misses > 0 {
                Colour::Amber
            } else {
                Colour::Green
            };
            DayBox {
                day,
                events,
                near_misses,
                colour,
                at: position(day),
            }
        })
        .collect()
}

/// Whole days since the last event (not a near miss) before `today`, if any.
pub fn days_since_last_event(records: &[(Date, bool)], today: Date) -> Option<i32> {
    records
        .iter()
        .filter(|(d, near)| !near && *d <= today)
        .map(|(d, _)| *d)
        .max()
        .map(|last| (today - last).get_days())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn every_day_has_its_own_place_in_the_cross() {
        let mut seen = std::collections::BTreeSet::new();
        for day in 1..=31 {
            let (r, c) = position(day);
            assert!((1..=7).contains(&r) && (1..=7).contains(&c));
            assert!(seen.insert((r, c)), "day {day} shares a box");
        }
        assert_eq!(position(1), (1, 3));
        assert_eq!(position(7), (3, 1));
        assert_eq!(position(31), (7, 4));
    }

    #[test]
    fn a_day_is_red_amber_green_or_still_to_come() {
        let records = [
            (d("2026-11-03"), false),
            (d("2026-11-03"), false),
            (d("2026-11-03"), true),
            (d("2026-11-05"), true),
            (d("2026-11-20"), false),
        ];
        let m = month(d("2026-11-01"), &records, d("2026-11-20"));
        assert_eq!(m.len(), 30);
        let on = |day: usize| &m[day - 1];
        assert_eq!(
            (on(3).colour, on(3).events, on(3).near_misses),
            (Colour::Red, 2, 1)
        );
        assert_eq!(on(5).colour, Colour::Amber);
        assert_eq!(on(4).colour, Colour::Green);
        assert_eq!(on(20).colour, Colour::Blank, "today is not over");
        assert_eq!(on(20).events, 1);
        assert_eq!(on(30).colour, Colour::Blank);
        assert_eq!(month(d("2027-02-01"), &[], d("2027-03-01")).len(), 28);
    }

    #[test]
    fn days_since_the_last_event_ignore_near_misses() {
        let records = [(d("2026-11-03"), false), (d("2026-11-10"), true)];
        assert_eq!(days_since_last_event(&records, d("2026-11-20")), Some(17));
        assert_eq!(days_since_last_event(&[], d("2026-11-20")), None);
        assert_eq!(
            days_since_last_event(&[(d("2026-11-20"), false)], d("2026-11-20")),
            Some(0)
        );
    }

    #[test]
    fn measures_count_their_own_categories() {
        assert!(Measure::Falls.counts(EventKind::NearMiss, Category::Fall, None));
        assert!(!Measure::Falls.counts(EventKind::Incident, Category::Medication, None));
        assert!(!Measure::AnyIncident.counts(EventKind::GoodPractice, Category::Fall, None));
        assert!(Measure::MedicationErrors.counts(EventKind::Incident, Category::Medication, None));
        let set = ChosenSet::validate(
            "Behaviour and self-harm",
            &[
                "behaviour".to_owned(),
                "self_harm".to_owned(),
                "behaviour".to_owned(),
            ],
        )
        .unwrap();
        assert_eq!(set.categories, ["behaviour", "self_harm"]);
        assert!(Measure::Chosen.counts(EventKind::Incident, Category::SelfHarm, Some(&set)));
        assert!(!Measure::Chosen.counts(EventKind::Incident, Category::Fall, Some(&set)));
        assert!(!Measure::Chosen.counts(EventKind::GoodPractice, Category::Behaviour, Some(&set)));
        assert!(!Measure::Chosen.counts(EventKind::Incident, Category::Behaviour, None));
        let bad = ChosenSet::validate(" ", &["gossip".to_owned()])
            .err()
            .unwrap();
        let fields: Vec<&str> = bad.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["set_name", "set_categories"]);
        assert!(ChosenSet::validate("Mine", &[]).is_err());
    }

    proptest! {
        /// Every record of an ended day is in its box, once.
        #[test]
        fn boxes_hold_every_record_once(days in proptest::collection::vec((1i8..=30, any::<bool>()), 0..60)) {
            let records: Vec<(Date, bool)> = days
                .iter()
                .map(|(day, near)| (Date::new(2026, 11, *day).unwrap_or_default(), *near))
                .collect();
            let m = month(d("2026-11-01"), &records, d("2026-12-01"));
            let total: u32 = m.iter().map(|b| b.events + b.near_misses).sum();
            prop_assert_eq!(total as usize, records.len());
            prop_assert!(m.iter().all(|b| b.colour != Colour::Blank));
            prop_assert!(m.iter().all(|b| (b.colour == Colour::Red) == (b.events > 0)));
        }
    }
}
