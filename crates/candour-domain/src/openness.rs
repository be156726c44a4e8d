//! Openness with the person and their family: whether, when and how they
//! were told what happened and what will be done, any apology, and their
//! questions or wishes. The everyday openness good services practise,
//! beyond the statutory duty of candour.

use crate::organisation::code_enum;
use crate::validation::FieldErrors;
use jiff::Timestamp;

code_enum! {
    /// How someone was told.
    ToldHow {
        /// Face to face.
        InPerson = ("in_person", "In person"),
        /// By telephone.
        Phone = ("phone", "By phone"),
        /// By video call.
        Video = ("video", "By video call"),
        /// In a letter or email.
        Writing = ("writing", "In writing"),
    }
}

/// A record as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpennessDraft {
    /// `yes` if they were told, `no` if not (yet).
    pub told: String,
    /// Who was told: the person, or their representative and how they are related.
    pub who: String,
    /// When, `YYYY-MM-DD` and `HH:MM` UK time.
    pub told_date: String,
    /// Time.
    pub told_time: String,
    /// How ([`ToldHow`] code).
    pub how: String,
    /// What they were told happened and what will be done.
    pub what: String,
    /// `yes` if an apology was given.
    pub apology: String,
    /// Their questions or wishes.
    pub questions: String,
    /// Why they have not been told, when not.
    pub not_told_reason: String,
}

/// A checked record.
#[derive(Debug, Clone, PartialEq)]
pub enum Openness {
    /// They were told.
    Told {
        /// Who.
        who: String,
        /// When.
        at: Timestamp,
        /// How.
        how: ToldHow,
        /// What.
        what: String,
        /// Whether an apology was given.
        apology: bool,
        /// Their questions or wishes.
        questions: String,
    },
    /// Not told (yet), and why.
    NotTold {
        /// Why.
        reason: String,
    },
}

use crate::validation::checked_text as text;

impl OpennessDraft {
    /// Applies every rule; times are UK time, between the incident and `now`.
    pub fn validate(
        &self,
        occurred_at: Timestamp,
        now: Timestamp,
    ) -> Result<Openness, FieldErrors> {
        let mut e = FieldErrors::new();
        match self.told.trim() {
            "no" => {
                let reason = text(
                    &mut e,
                    "not_told_reason",
                    &self.not_told_reason,
                    2_000,
                    Some("Say why they have not been told yet"),
                );
                e.into_result(Openness::NotTold { reason })
            }
            "yes" => {
                let who = text(
                    &mut e,
                    "who",
                    &self.who,
                    200,
                    Some(
                        "Say who was told: the person, or their representative and how they are related",
                    ),
                );
                let what = text(
                    &mut e,
                    "what",
                    &self.what,
                    4_000,
                    Some("Say what they were told happened and what will be done"),
                );
                let questions = text(&mut e, "questions", &self.questions, 4_000, None);
                let how = crate::openness::ToldHow::parse(self.how.trim());
                if how.is_none() {
                    e.add("how", "Choose how they were told");
                }
                let at = match (
                    self.told_date.trim().parse::<jiff::civil::Date>(),
                    self.told_time.trim().parse::<jiff::civil::Time>(),
                ) {
                    (Ok(d), Ok(t)) => crate::incident::london()
                        .to_ambiguous_timestamp(d.to_datetime(t))
                        .compatible()
                        .ok(),
                    _ => None,
                };
                match at {
                    None => e.add(
                        "told_date",
                        "Enter the date and time they were told, like 23/11/2026 14:30",
                    ),
                    Some(t) if t > now => e.add(
                        "told_date",
                        "The time they were told cannot be in the future",
                    ),
                    Some(t) if t < occurred_at => {
                        e.add("told_date", "They cannot have been told before it happened")
                    }
                    Some(_) => {}
                }
                match (at, how) {
                    (Some(at), Some(how)) if e.is_empty() => Ok(Openness::Told {
                        who,
                        at,
                        how,
                        what,
                        apology: self.apology.trim() == "yes",
                        questions,
                    }),
                    _ => Err(e),
                }
            }
            _ => {
                e.add("told", "Say whether they have been told");
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn told() -> OpennessDraft {
        OpennessDraft {
            told: "yes".into(),
            who: "Her daughter (lasting power of attorney)".into(),
            told_date: "2026-11-23".into(),
            told_time: "10:15".into(),
            how: "phone".into(),
            what: "She fell in the bathroom; no injury found; we are reviewing the mat.".into(),
            apology: "yes".into(),
            ..OpennessDraft::default()
        }
    }

    #[test]
    fn a_full_record_passes_and_each_gap_is_named() {
        let (happened, now) = (at("2026-11-23T07:00:00Z"), at("2026-11-23T12:00:00Z"));
        assert!(matches!(
            told().validate(happened, now),
            Ok(Openness::Told { apology: true, .. })
        ));
        type Breaker = fn(&mut OpennessDraft);
        let cases: [(&str, Breaker); 6] = [
            ("told", |d| d.told.clear()),
            ("who", |d| d.who.clear()),
            ("what", |d| d.what = " ".into()),
            ("how", |d| d.how = "pigeon".into()),
            ("told_date", |d| d.told_date = "2026-11-24".into()),
            ("told_date", |d| d.told_time = "06:00".into()),
        ];
        for (field, breaker) in cases {
            let mut d = told();
            breaker(&mut d);
            let errs = d.validate(happened, now).err().unwrap_or_default();
            assert!(errs.for_field(field).is_some(), "{field}: {errs:?}");
        }
        let not = OpennessDraft {
            told: "no".into(),
            ..OpennessDraft::default()
        };
        assert!(
            not.validate(happened, now)
                .err()
                .unwrap_or_default()
                .for_field("not_told_reason")
                .is_some()
        );
    }
}
