//! How long incident records are kept once closed, and when one may be
//! destroyed (domain.md §14.4, §2.1). The periods are organisation settings
//! (defaults UNCONFIRMED in domain.md: 10 years for incident records, 20
//! for serious incidents); none may be under three years, because RIDDOR
//! regulation 12 requires a record of every reportable event to be kept at
//! least that long, and a record of a RIDDOR-reportable event is kept three
//! years from the event whatever else applies. An open incident is never
//! destroyed.

use crate::incident::london;
use crate::validation::FieldErrors;
use jiff::Timestamp;

/// The least any incident record is kept (RIDDOR regulation 12).
pub const RIDDOR_YEARS: u32 = 3;

/// The organisation's retention periods, in years after closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Retention {
    /// Incident records.
    pub incident_years: u32,
    /// Records of incidents that had a serious incident investigation.
    pub serious_years: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            incident_years: 10,
            serious_years: 20,
        }
    }
}

/// The periods as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionDraft {
    /// Years to keep incident records after closure.
    pub incident_years: String,
    /// Years to keep serious incident records after closure.
    pub serious_years: String,
}

impl RetentionDraft {
    /// The form filled from the current settings.
    pub fn from_settings(r: Retention) -> RetentionDraft {
        RetentionDraft {
            incident_years: r.incident_years.to_string(),
            serious_years: r.serious_years.to_string(),
        }
    }

    /// Whole years from 3 to 100, serious incidents at least as long as others.
    pub fn validate(&self) -> Result<Retention, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut years = |field: &str, v: &str| match v.trim().parse::<u32>() {
            Ok(n) if n < RIDDOR_YEARS => {
                e.add(
                    field,
                    "Keep records for at least 3 years: RIDDOR requires a record of every reportable incident for that long (regulation 12)",
                );
                0
            }
            Ok(n) if n <= 100 => n,
            _ => {
                e.add(field, "Enter the years as a whole number from 3 to 100");
                0
            }
        };
        let incident_years = years("incident_years", &self.incident_years);
        let serious_years = years("serious_years", &self.serious_years);
        if e.is_empty() && serious_years < incident_years {
            e.add(
                "serious_years",
                "Keep serious incident records at least as long as other incident records",
            );
        }
        e.into_result(Retention {
            incident_years,
            serious_years,
        })
    }
}

/// What decides how long one incident's record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kept {
    /// When it happened.
    pub occurred_at: Timestamp,
    /// When it was closed; never destroyed while open.
    pub closed_at: Option<Timestamp>,
    /// It had a serious incident investigation.
    pub serious: bool,
    /// It was RIDDOR-reportable (a report required or made).
    pub riddor: bool,
    /// It is on legal hold (never destroyed until released).
    pub held: bool,
}

fn plus_years(t: Timestamp, years: u32) -> Timestamp {
    let z = t.to_zoned(london());
    z.checked_add(jiff::Span::new().years(i64::from(years)))
        .map_or(Timestamp::MAX, |z| z.timestamp())
}

/// Until when the record must be kept; `None` while the incident is open.
pub fn keep_until(r: Retention, k: Kept) -> Option<Timestamp> {
    let closed = k.closed_at?;
    let years = if k.serious {
        r.serious_years
    } else {
        r.incident_years
    };
    let mut until = plus_years(closed, years.max(RIDDOR_YEARS));
    if k.riddor {
        until = until.max(plus_years(k.occurred_at, RIDDOR_YEARS));
    }
    Some(until)
}

/// Whether the record may be destroyed at `now`; if not, why not.
pub fn may_destroy(r: Retention, k: Kept, now: Timestamp) -> Result<(), String> {
    if k.held {
        return Err("It is on legal hold".to_owned());
    }
    match keep_until(r, k) {
        None => Err("It is still open".to_owned()),
        Some(until) if now < until => Err(format!(
            "It is kept until {}{}",
            crate::display::date(until),
            if k.riddor {
                " (a RIDDOR record is kept at least 3 years)"
            } else if k.serious {
                " (a serious incident record)"
            } else {
                ""
            }
        )),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn kept(closed: Option<&str>, serious: bool, riddor: bool) -> Kept {
        Kept {
            occurred_at: at("2020-03-01T10:00:00Z"),
            closed_at: closed.map(at),
            serious,
            riddor,
            held: false,
        }
    }

    #[test]
    fn a_record_is_kept_its_period_after_closure_and_never_while_open() {
        let r = Retention::default();
        let cases = [
            (kept(None, false, false), "2099-01-01T00:00:00Z", false),
            (
                kept(Some("2020-04-01T10:00:00Z"), false, false),
                "2030-04-01T09:59:59Z",
                false,
            ),
            (
                kept(Some("2020-04-01T10:00:00Z"), false, false),
                "2030-04-01T10:00:00Z",
                true,
            ),
            (
                kept(Some("2020-04-01T10:00:00Z"), true, false),
                "2035-01-01T00:00:00Z",
                false,
            ),
            (
                kept(Some("2020-04-01T10:00:00Z"), true, false),
                "2040-04-01T10:00:00Z",
                true,
            ),
        ];
        for (k, now, ok) in cases {
            assert_eq!(may_destroy(r, k, at(now)).is_ok(), ok, "{k:?} at {now}");
        }
    }

    #[test]
    fn a_riddor_record_is_kept_three_years_from_the_event() {
        // Even with the shortest periods, closed the day it happened.
        let short = Retention {
            incident_years: 3,
            serious_years: 3,
        };
        let k = Kept {
            occurred_at: at("2023-06-01T10:00:00Z"),
            closed_at: Some(at("2023-06-01T12:00:00Z")),
            serious: false,
            riddor: true,
            held: false,
        };
        let refused = may_destroy(short, k, at("2026-05-31T12:00:00Z"));
        assert!(refused.is_err_and(|m| m.contains("RIDDOR")));
        assert!(may_destroy(short, k, at("2026-06-01T12:00:00Z")).is_ok());
        // A legal hold keeps it whatever the date.
        let held = Kept { held: true, ..k };
        assert!(
            may_destroy(short, held, at("2099-01-01T00:00:00Z"))
                .is_err_and(|m| m.contains("legal hold"))
        );
    }

    #[test]
    fn the_periods_refuse_anything_under_three_years() {
        let d = |a: &str, b: &str| RetentionDraft {
            incident_years: a.into(),
            serious_years: b.into(),
        };
        assert_eq!(
            d("6", " 20 ").validate(),
            Ok(Retention {
                incident_years: 6,
                serious_years: 20
            })
        );
        let e = d("2", "20").validate().err().unwrap_or_default();
        assert!(
            e.for_field("incident_years")
                .is_some_and(|m| m.contains("RIDDOR"))
        );
        let e = d("ten", "101").validate().err().unwrap_or_default();
        assert!(e.for_field("incident_years").is_some() && e.for_field("serious_years").is_some());
        let e = d("10", "8").validate().err().unwrap_or_default();
        assert!(e.for_field("serious_years").is_some());
    }

    proptest! {
        /// Whatever the settings, nothing closed is destroyed within three
        /// years of the event or of its closure.
        #[test]
        fn nothing_goes_within_three_years(
            years in 3u32..30, extra in 0u32..10, serious: bool, riddor: bool,
            open_days in 0i64..2000, after_days in 0i64..1095,
        ) {
            let r = Retention { incident_years: years, serious_years: years + extra };
            let occurred = at("2020-01-01T00:00:00Z");
            let closed = occurred.checked_add(jiff::SignedDuration::from_hours(24 * open_days)).unwrap_or(occurred);
            let k = Kept { occurred_at: occurred, closed_at: Some(closed), serious, riddor, held: false };
            let now = closed.checked_add(jiff::SignedDuration::from_hours(24 * after_days)).unwrap_or(closed);
            prop_assert!(may_destroy(r, k, now).is_err());
        }
    }
}
