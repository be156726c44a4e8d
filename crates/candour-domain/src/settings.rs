//! Organisation settings as an administrator types them: timescales (with
//! per-category overrides), risk band edges and added non-working days.
//! Each field's problem is named on that field.

use crate::incident::Category;
use crate::organisation::Nation;
use crate::timescales::{CategoryTimescales, ReviewDays, Timescales};
use crate::triage::BandEdges;
use crate::validation::FieldErrors;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// Timescales as typed: whole numbers as text; blank category overrides
/// mean "the organisation's".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimescalesDraft {
    /// Working days to triage.
    pub triage_working_days: String,
    /// Hours to triage urgent reports.
    pub urgent_triage_hours: String,
    /// Working days to review, low risk.
    pub review_low: String,
    /// Moderate.
    pub review_moderate: String,
    /// High.
    pub review_high: String,
    /// Extreme.
    pub review_extreme: String,
    /// Working days for a serious incident investigation.
    pub investigation_working_days: String,
    /// Per category: (code, triage days, review days).
    pub by_category: Vec<(String, String, String)>,
}

pub(crate) fn number(
    e: &mut FieldErrors,
    field: &str,
    v: &str,
    range: (u32, u32),
    what: &str,
) -> u32 {
    match v.trim().parse::<u32>() {
        Ok(n) if (range.0..=range.1).contains(&n) => n,
        _ => {
            e.add(
                field,
                format!(
                    "Enter {what} as a whole number from {} to {}",
                    range.0, range.1
                ),
            );
            0
        }
    }
}

impl TimescalesDraft {
    /// The form filled from the current settings.
    pub fn from_settings(t: &Timescales) -> TimescalesDraft {
        let r = t.review_working_days;
        TimescalesDraft {
            triage_working_days: t.triage_working_days.to_string(),
            urgent_triage_hours: t.urgent_triage_hours.to_string(),
            review_low: r.low.to_string(),
            review_moderate: r.moderate.to_string(),
            review_high: r.high.to_string(),
            review_extreme: r.extreme.to_string(),
            investigation_working_days: t.investigation_working_days.to_string(),
            by_category: Category::ALL
                .iter()
                .map(|c| {
                    let o = t.by_category.get(c.code()).copied().unwrap_or_default();
                    let show = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
                    (
                        c.code().to_owned(),
                        show(o.triage_working_days),
                        show(o.review_working_days),
                    )
                })
                .collect(),
        }
    }

    /// Applies every rule.
    pub fn validate(&self) -> Result<Timescales, FieldErrors> {
        let mut e = FieldErrors::new();
        let days = (1, 365);
        let triage = number(
            &mut e,
            "triage_working_days",
            &self.triage_working_days,
            days,
            "the working days to triage",
        );
        let urgent = number(
            &mut e,
            "urgent_triage_hours",
            &self.urgent_triage_hours,
            (1, 72),
            "the hours to triage urgent reports",
        );
        let review = ReviewDays {
            low: number(
                &mut e,
                "review_low",
                &self.review_low,
                days,
                "the working days to review low-risk reports",
            ),
            moderate: number(
                &mut e,
                "review_moderate",
                &self.review_moderate,
                days,
                "the working days to review moderate-risk reports",
            ),
            high: number(
                &mut e,
                "review_high",
                &self.review_high,
                days,
                "the working days to review high-risk reports",
            ),
            extreme: number(
                &mut e,
                "review_extreme",
                &self.review_extreme,
                days,
                "the working days to review extreme-risk reports",
            ),
        };
        let investigation = number(
            &mut e,
            "investigation_working_days",
            &self.investigation_working_days,
            days,
            "the working days for an investigation",
        );
        let mut by_category = BTreeMap::new();
        for (code, t, r) in &self.by_category {
            let Some(category) = Category::parse(code) else {
                e.add("by_category", format!("{code} is not a category"));
                continue;
            };
            let mut optional = |field: String, v: &str, what: String| match v.trim() {
                "" => None,
                v => Some(number(&mut e, &field, v, days, &what)),
            };
            let label = category.label().to_lowercase();
            let o = CategoryTimescales {
                triage_working_days: optional(
                    format!("triage-{code}"),
                    t,
                    format!("the working days to triage {label} reports, or leave it blank"),
                ),
                review_working_days: optional(
                    format!("review-{code}"),
                    r,
                    format!("the working days to review {label} reports, or leave it blank"),
                ),
            };
            if o != CategoryTimescales::default() {
                by_category.insert(code.clone(), o);
            }
        }
        let t = Timescales {
            triage_working_days: triage,
            urgent_triage_hours: urgent,
            review_working_days: review,
            investigation_working_days: investigation,
            by_category,
        };
        if e.is_empty() {
            t.check().map(|()| t)
        } else {
            Err(e)
        }
    }
}

/// Risk band edges as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BandEdgesDraft {
    /// Lowest moderate score.
    pub moderate_from: String,
    /// Lowest high score.
    pub high_from: String,
    /// Lowest extreme score.
    pub extreme_from: String,
}

impl BandEdgesDraft {
    /// The form filled from the current settings.
    pub fn from_settings(b: BandEdges) -> BandEdgesDraft {
        BandEdgesDraft {
            moderate_from: b.moderate_from.to_string(),
            high_from: b.high_from.to_string(),
            extreme_from: b.extreme_from.to_string(),
        }
    }

    /// Applies every rule: whole numbers, rising, between 2 and 25.
    pub fn validate(&self) -> Result<BandEdges, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut score = |field: &str, v: &str, band: &str| -> u8 {
            let n = number(
                &mut e,
                field,
                v,
                (2, 25),
                &format!("the lowest {band} score"),
            );
            u8::try_from(n).unwrap_or(0)
        };
        let b = BandEdges {
            moderate_from: score("moderate_from", &self.moderate_from, "moderate"),
            high_from: score("high_from", &self.high_from, "high"),
            extreme_from: score("extreme_from", &self.extreme_from, "extreme"),
        };
        if e.is_empty() {
            b.check().map_err(|_| {
                let mut e = FieldErrors::new();
                e.add(
                    "moderate_from",
                    "Each band must start above the one before, for example 4, 8 and 15",
                );
                e
            })
        } else {
            Err(e)
        }
    }
}

/// A non-working day an administrator adds, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExtraDayDraft {
    /// Nation code.
    pub nation: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Its name, like "Company closure day".
    pub label: String,
}

impl ExtraDayDraft {
    /// Applies every rule.
    pub fn validate(&self) -> Result<(Nation, Date, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let nation = Nation::parse(self.nation.trim());
        if nation.is_none() {
            e.add("nation", "Choose the nation whose calendar it belongs to");
        }
        let day = self.day.trim().parse::<Date>().ok();
        if day.is_none() {
            e.add("day", "Enter the date, like 24/12/2026");
        }
        let label = self.label.trim().to_owned();
        if label.is_empty() {
            e.add(
                "day_label",
                "Name the day, for example \"Christmas Eve closure\"",
            );
        } else if label.chars().count() > 100 {
            e.add("day_label", "Keep the name to 100 characters or fewer");
        }
        match (nation, day) {
            (Some(n), Some(d)) if e.is_empty() => Ok((n, d, label)),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_read_back_as_the_defaults() {
        let d = TimescalesDraft::from_settings(&Timescales::default());
        assert_eq!(d.validate(), Ok(Timescales::default()));
        let b = BandEdgesDraft::from_settings(BandEdges::default());
        assert_eq!(b.validate(), Ok(BandEdges::default()));
    }

    #[test]
    fn each_bad_field_is_named() {
        let good = TimescalesDraft::from_settings(&Timescales::default());
        type Breaker = fn(&mut TimescalesDraft);
        let cases: [(&str, Breaker); 5] = [
            ("triage_working_days", |d| {
                d.triage_working_days = "0".into()
            }),
            ("urgent_triage_hours", |d| {
                d.urgent_triage_hours = "four".into()
            }),
            ("review_high", |d| d.review_high = "400".into()),
            ("investigation_working_days", |d| {
                d.investigation_working_days.clear()
            }),
            ("triage-fall", |d| d.by_category[0].1 = "2.5".into()),
        ];
        for (field, breaker) in cases {
            let mut d = good.clone();
            breaker(&mut d);
            let e = d.validate().err().unwrap_or_default();
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
        let mut falls = good.clone();
        falls.by_category[0].2 = "3".into();
        let t = falls.validate();
        assert_eq!(
            t.ok().and_then(|t| t.by_category.get("fall").copied()),
            Some(CategoryTimescales {
                triage_working_days: None,
                review_working_days: Some(3)
            })
        );
        let crossed = BandEdgesDraft {
            moderate_from: "8".into(),
            high_from: "4".into(),
            extreme_from: "15".into(),
        };
        assert!(
            crossed
                .validate()
                .err()
                .unwrap_or_default()
                .for_field("moderate_from")
                .is_some()
        );
        let day = ExtraDayDraft {
            nation: "wales".into(),
            day: "2026-12-24".into(),
            label: "".into(),
        };
        let e = day.validate().err().unwrap_or_default();
        assert!(e.for_field("nation").is_some() && e.for_field("day_label").is_some());
    }
}

/// The statutory duties' deadlines as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DutySettingsDraft {
    /// Hours to notify CQC ("without delay").
    pub cqc_hours: String,
    /// Working days for the duty of candour ("as soon as reasonably practicable").
    pub candour_working_days: String,
}

impl DutySettingsDraft {
    /// The form filled from the current settings.
    pub fn from_settings(d: crate::duties::DutySettings) -> DutySettingsDraft {
        DutySettingsDraft {
            cqc_hours: d.cqc_hours.to_string(),
            candour_working_days: d.candour_working_days.to_string(),
        }
    }

    /// Applies every rule: CQC within 1 to 72 hours, candour within 1 to 20 working days.
    pub fn validate(&self) -> Result<crate::duties::DutySettings, FieldErrors> {
        let mut e = FieldErrors::new();
        let cqc = number(
            &mut e,
            "cqc_hours",
            &self.cqc_hours,
            (1, 72),
            "the hours to notify CQC",
        );
        let candour = number(
            &mut e,
            "candour_working_days",
            &self.candour_working_days,
            (1, 20),
            "the working days to tell the person under the duty of candour",
        );
        e.into_result(crate::duties::DutySettings {
            cqc_hours: i64::from(cqc),
            candour_working_days: candour,
        })
    }
}

#[cfg(test)]
mod duty_settings_tests {
    use super::*;

    #[test]
    fn duty_deadlines_are_whole_numbers_in_range() {
        let ok = DutySettingsDraft {
            cqc_hours: " 12 ".into(),
            candour_working_days: "5".into(),
        };
        assert_eq!(
            ok.validate(),
            Ok(crate::duties::DutySettings {
                cqc_hours: 12,
                candour_working_days: 5
            })
        );
        let bad = DutySettingsDraft {
            cqc_hours: "0".into(),
            candour_working_days: "ten".into(),
        };
        let e = bad.validate().err().unwrap_or_default();
        assert_eq!(
            e.for_field("cqc_hours"),
            Some("Enter the hours to notify CQC as a whole number from 1 to 72")
        );
        assert!(e.for_field("candour_working_days").is_some());
    }
}
