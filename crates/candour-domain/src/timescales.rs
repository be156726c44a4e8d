//! How long triage and review may take: organisation settings with the
//! defaults below, overridable per category, computed on the working-day
//! calendar. Deaths and safeguarding concerns are urgent from the moment
//! they are reported: triage within hours, not days.

use crate::calendar::Calendar;
use crate::feedback::describe_minutes;
use crate::incident::Category;
use crate::triage::{LearningResponse, RiskBand};
use crate::validation::FieldErrors;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Review targets by risk band, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDays {
    /// Low risk (5).
    pub low: u32,
    /// Moderate risk (15).
    pub moderate: u32,
    /// High risk (20).
    pub high: u32,
    /// Extreme risk (20, and usually a serious investigation).
    pub extreme: u32,
}

/// A category's own targets, where they differ from the organisation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CategoryTimescales {
    /// Working days to triage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage_working_days: Option<u32>,
    /// Working days to complete the review, whatever the band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_working_days: Option<u32>,
}

/// An organisation's timescales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timescales {
    /// Working days to triage a report (1).
    pub triage_working_days: u32,
    /// Hours to triage an urgent report (4): deaths, safeguarding, and
    /// anything graded severe, fatal or extreme.
    pub urgent_triage_hours: u32,
    /// Working days to complete a review, by band.
    pub review_working_days: ReviewDays,
    /// Working days to complete a serious incident investigation (60).
    pub investigation_working_days: u32,
    /// Per-category targets, by category code.
    #[serde(default)]
    pub by_category: BTreeMap<String, CategoryTimescales>,
}

impl Default for Timescales {
    fn default() -> Self {
        Timescales {
            triage_working_days: 1,
            urgent_triage_hours: 4,
            review_working_days: ReviewDays {
                low: 5,
                moderate: 15,
                high: 20,
                extreme: 20,
            },
            investigation_working_days: 60,
            by_category: BTreeMap::new(),
        }
    }
}

/// Whether a category is urgent the moment it is reported.
pub fn urgent_on_report(category: Category) -> bool {
    matches!(category, Category::Death | Category::Safeguarding)
}

impl Timescales {
    /// Checks settings an administrator enters.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let days = |n: u32| (1..=365).contains(&n);
        let r = self.review_working_days;
        if !days(self.triage_working_days) {
            e.add("triage_working_days", "Give triage 1 to 365 working days");
        }
        if !(1..=72).contains(&self.urgent_triage_hours) {
            e.add("urgent_triage_hours", "Give urgent triage 1 to 72 hours");
        }
        if ![r.low, r.moderate, r.high, r.extreme].into_iter().all(days) {
            e.add(
                "review_working_days",
                "Give each review 1 to 365 working days",
            );
        }
        if !days(self.investigation_working_days) {
            e.add(
                "investigation_working_days",
                "Give investigations 1 to 365 working days",
            );
        }
        for (code, c) in &self.by_category {
            if Category::parse(code).is_none() {
                e.add("by_category", format!("{code} is not a category"));
            }
            if c.triage_working_days.is_some_and(|n| !days(n))
                || c.review_working_days.is_some_and(|n| !days(n))
            {
                e.add("by_category", "Give each category 1 to 365 working days");
            }
        }
        e.into_result(())
    }

    fn category(&self, c: Category) -> CategoryTimescales {
        self.by_category.get(c.code()).copied().unwrap_or_default()
    }

    /// When triage is due for a report made at `reported_at`.
    pub fn triage_due(
        &self,
        cal: &Calendar,
        reported_at: Timestamp,
        category: Category,
    ) -> Timestamp {
        if urgent_on_report(category) {
            return self.urgent_due(reported_at);
        }
        let days = self
            .category(category)
            .triage_working_days
            .unwrap_or(self.triage_working_days);
        cal.deadline(reported_at, days)
    }

    /// Hours after `at` for something urgent.
    pub fn urgent_due(&self, at: Timestamp) -> Timestamp {
        at.checked_add(jiff::Span::new().hours(i64::from(self.urgent_triage_hours)))
            .unwrap_or(at)
    }

    /// When the learning response chosen at triage is due to be complete.
    pub fn review_due(
        &self,
        cal: &Calendar,
        triaged_at: Timestamp,
        category: Category,
        band: RiskBand,
        response: LearningResponse,
    ) -> Timestamp {
        let r = self.review_working_days;
        let days = match response {
            LearningResponse::SeriousInvestigation => self.investigation_working_days,
            _ => self
                .category(category)
                .review_working_days
                .unwrap_or(match band {
                    RiskBand::Low => r.low,
                    RiskBand::Moderate => r.moderate,
                    RiskBand::High => r.high,
                    RiskBand::Extreme => r.extreme,
                }),
        };
        cal.deadline(triaged_at, days)
    }
}

/// How a deadline stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLeft {
    /// Past it, by this many minutes.
    Overdue(i64),
    /// Due within a day: this many minutes left.
    DueSoon(i64),
    /// More than a day left.
    Later(i64),
}

impl TimeLeft {
    /// Where `due` stands at `now`.
    pub fn at(now: Timestamp, due: Timestamp) -> TimeLeft {
        let minutes = (due.as_millisecond() - now.as_millisecond()).div_euclid(60_000);
        if minutes < 0 {
            TimeLeft::Overdue(-minutes)
        } else if minutes < 24 * 60 {
            TimeLeft::DueSoon(minutes)
        } else {
            TimeLeft::Later(minutes)
        }
    }

    /// In words: `Overdue by 2 hours`, `Due in 45 minutes`, `Due in 3 days 2 hours`.
    pub fn describe(self) -> String {
        match self {
            TimeLeft::Overdue(m) => format!("Overdue by {}", describe_minutes(m)),
            TimeLeft::DueSoon(m) | TimeLeft::Later(m) => format!("Due in {}", describe_minutes(m)),
        }
    }
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
    fn triage_is_due_next_working_day_or_within_hours_when_urgent() {
        let cal = Calendar::new(Nation::EnglandAndWales, []);
        let t = Timescales::default();
        // Friday before the late-summer bank holiday: due end of Tuesday.
        let friday = at("2026-08-28T16:00:00Z");
        assert_eq!(
            t.triage_due(&cal, friday, Category::Fall).to_string(),
            "2026-09-01T22:59:59.999Z"
        );
        assert_eq!(
            t.triage_due(&cal, friday, Category::Death).to_string(),
            "2026-08-28T20:00:00Z",
            "four hours, weekend or not"
        );
        let mut falls_same_day = t.clone();
        falls_same_day.by_category.insert(
            "fall".into(),
            CategoryTimescales {
                triage_working_days: Some(3),
                review_working_days: None,
            },
        );
        assert_eq!(
            falls_same_day
                .triage_due(&cal, friday, Category::Fall)
                .to_string(),
            "2026-09-03T22:59:59.999Z",
            "a category may set its own"
        );
    }

    #[test]
    fn reviews_are_due_by_band_and_investigations_in_sixty_working_days() {
        let cal = Calendar::new(Nation::EnglandAndWales, []);
        let t = Timescales::default();
        let monday = at("2026-11-23T10:00:00Z");
        let due = |band, response| {
            t.review_due(&cal, monday, Category::Medication, band, response)
                .to_string()
        };
        assert_eq!(
            due(RiskBand::Low, LearningResponse::LocalReview),
            "2026-11-30T23:59:59.999Z"
        );
        assert_eq!(
            due(RiskBand::Moderate, LearningResponse::LocalReview),
            "2026-12-14T23:59:59.999Z"
        );
        assert_eq!(
            due(RiskBand::High, LearningResponse::AfterActionReview),
            "2026-12-21T23:59:59.999Z"
        );
        // 60 working days skip Christmas Day, the 28 Dec substitute and New Year's Day.
        assert_eq!(
            due(RiskBand::Low, LearningResponse::SeriousInvestigation),
            "2027-02-18T23:59:59.999Z"
        );
    }

    #[test]
    fn time_left_reads_as_people_say_it() {
        let now = at("2026-11-23T10:00:00Z");
        assert_eq!(
            TimeLeft::at(now, at("2026-11-23T12:00:00Z")),
            TimeLeft::DueSoon(120)
        );
        assert_eq!(
            TimeLeft::at(now, at("2026-11-23T09:59:00Z")).describe(),
            "Overdue by 1 minute"
        );
        assert_eq!(
            TimeLeft::at(now, at("2026-11-25T12:00:00Z")).describe(),
            "Due in 2 days 2 hours"
        );
        assert!(matches!(
            TimeLeft::at(now, at("2026-11-25T12:00:00Z")),
            TimeLeft::Later(_)
        ));
    }

    #[test]
    fn settings_out_of_range_are_named() {
        let mut t = Timescales::default();
        assert!(t.check().is_ok());
        t.triage_working_days = 0;
        t.urgent_triage_hours = 100;
        t.by_category
            .insert("breakfast".into(), CategoryTimescales::default());
        let e = t.check().err().unwrap_or_default();
        for field in ["triage_working_days", "urgent_triage_hours", "by_category"] {
            assert!(e.for_field(field).is_some(), "{field}");
        }
        let json = serde_json::to_string(&Timescales::default()).unwrap_or_default();
        assert_eq!(
            serde_json::from_str::<Timescales>(&json).ok(),
            Some(Timescales::default())
        );
    }

    proptest! {
        #[test]
        fn a_deadline_is_never_before_the_report(offset in 0i64..3_000_000, cat in 0usize..15) {
            let cal = Calendar::new(Nation::EnglandAndWales, []);
            let t = Timescales::default();
            let reported = at("2024-01-01T00:00:00Z").checked_add(jiff::Span::new().minutes(offset)).unwrap_or(Timestamp::UNIX_EPOCH);
            let category = Category::ALL[cat % Category::ALL.len()];
            prop_assert!(t.triage_due(&cal, reported, category) > reported);
        }
    }
}
