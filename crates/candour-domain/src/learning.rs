//! Learning beyond incidents (issue 6): learning logs about everyday
//! support for a person, reflective practice after an incident, reflection
//! in staff supervision (private to the member of staff and their
//! supervisor), and the involvement of the person (or their representative)
//! in a review.

use crate::validation::{FieldErrors, checked_text};
use jiff::civil::Date;

/// A learning log as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogDraft {
    /// What the support or activity was, such as "swimming more independently".
    pub activity: String,
    /// What we tried.
    pub tried: String,
    /// What worked.
    pub worked: String,
    /// What did not.
    pub did_not_work: String,
    /// What we will change.
    pub will_change: String,
    /// `yes` when it changes their support: their care plan or risk assessment is to be reviewed.
    pub changes_support: String,
}

/// A checked learning log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// Activity.
    pub activity: String,
    /// Tried.
    pub tried: String,
    /// Worked.
    pub worked: String,
    /// Did not work.
    pub did_not_work: String,
    /// Will change.
    pub will_change: String,
    /// Flags a care plan or risk assessment review.
    pub changes_support: bool,
}

fn yes_no(e: &mut FieldErrors, field: &str, v: &str, missing: &str) -> bool {
    match v {
        "yes" => true,
        "no" => false,
        _ => {
            e.add(field, missing);
            false
        }
    }
}

impl LogDraft {
    /// The log, or each field that is wrong by name.
    pub fn validate(&self) -> Result<Log, FieldErrors> {
        let mut e = FieldErrors::new();
        let activity = checked_text(
            &mut e,
            "activity",
            &self.activity,
            200,
            Some("Say what the support or activity was"),
        );
        let tried = checked_text(
            &mut e,
            "tried",
            &self.tried,
            4_000,
            Some("Say what we tried"),
        );
        let worked = checked_text(
            &mut e,
            "worked",
            &self.worked,
            4_000,
            Some("Say what worked, even if nothing did"),
        );
        let did_not_work = checked_text(
            &mut e,
            "did_not_work",
            &self.did_not_work,
            4_000,
            Some("Say what did not work, even if everything did"),
        );
        let will_change = checked_text(
            &mut e,
            "will_change",
            &self.will_change,
            4_000,
            Some("Say what we will change"),
        );
        let changes_support = yes_no(
            &mut e,
            "changes_support",
            &self.changes_support,
            "Say whether it changes their support",
        );
        e.into_result(Log {
            activity,
            tried,
            worked,
            did_not_work,
            will_change,
            changes_support,
        })
    }
}

/// A reflective practice session after an incident, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PracticeDraft {
    /// The day it was held, `YYYY-MM-DD`.
    pub held_on: String,
    /// Who took part (roles or names of staff).
    pub participants: String,
    /// What they reflected on.
    pub reflections: String,
    /// What will change.
    pub changes: String,
}

/// A checked reflective practice session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Practice {
    /// Held on.
    pub held_on: Date,
    /// Who took part.
    pub participants: String,
    /// Reflections.
    pub reflections: String,
    /// Changes.
    pub changes: String,
}

impl PracticeDraft {
    /// The session, or each field that is wrong by name; it was held
    /// between the incident's day and `today`.
    pub fn validate(&self, (not_before, today): (Date, Date)) -> Result<Practice, FieldErrors> {
        let mut e = FieldErrors::new();
        let held_on = match self.held_on.trim().parse::<Date>() {
            Ok(d) if d >= not_before && d <= today => Some(d),
            _ => {
                e.add(
                    "held_on",
                    "Enter the day it was held, between the incident and today",
                );
                None
            }
        };
        let participants = checked_text(
            &mut e,
            "participants",
            &self.participants,
            1_000,
            Some("Say who took part"),
        );
        let reflections = checked_text(
            &mut e,
            "reflections",
            &self.reflections,
            8_000,
            Some("Say what people reflected on"),
        );
        let changes = checked_text(
            &mut e,
            "changes",
            &self.changes,
            4_000,
            Some("Say what will change, or that nothing will and why"),
        );
        match (held_on, e.is_empty()) {
            (Some(held_on), true) => Ok(Practice {
                held_on,
                participants,
                reflections,
                changes,
            }),
            _ => Err(e),
        }
    }
}

/// The person's (or their representative's) part in a review, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvolvementDraft {
    /// `person` or `representative`.
    pub who: String,
    /// For a representative: their name and relationship.
    pub representative: String,
    /// Their account of what happened.
    pub account: String,
    /// Their views.
    pub views: String,
    /// What they want to happen.
    pub wishes: String,
}

/// A checked involvement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Involvement {
    /// The representative, or `None` for the person themselves.
    pub representative: Option<String>,
    /// Account.
    pub account: String,
    /// Views.
    pub views: String,
    /// Wishes.
    pub wishes: String,
}

impl InvolvementDraft {
    /// The involvement, or each field that is wrong by name: at least one
    /// of their account, views and wishes is recorded.
    pub fn validate(&self) -> Result<Involvement, FieldErrors> {
        let mut e = FieldErrors::new();
        let representative = match self.who.as_str() {
            "person" => None,
            "representative" => Some(checked_text(
                &mut e,
                "representative",
                &self.representative,
                200,
                Some("Give the representative's name and how they are related"),
            )),
            _ => {
                e.add(
                    "who",
                    "Say whether the person or their representative took part",
                );
                None
            }
        };
        let account = checked_text(&mut e, "account", &self.account, 8_000, None);
        let views = checked_text(&mut e, "views", &self.views, 8_000, None);
        let wishes = checked_text(&mut e, "wishes", &self.wishes, 4_000, None);
        if e.is_empty() && account.is_empty() && views.is_empty() && wishes.is_empty() {
            e.add(
                "account",
                "Record their account, their views or what they want to happen",
            );
        }
        e.into_result(Involvement {
            representative,
            account,
            views,
            wishes,
        })
    }
}

/// A supervision reflection as typed by the supervisor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupervisionDraft {
    /// The member of staff (their user id).
    pub staff: String,
    /// The day of the supervision, `YYYY-MM-DD`.
    pub held_on: String,
    /// The incident reflected on, when there is one (`INC-000123`).
    pub incident: String,
    /// The reflection.
    pub reflection: String,
    /// What they will do differently, and the support agreed.
    pub support: String,
}

/// A checked supervision reflection (the staff member is checked by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervision {
    /// Held on.
    pub held_on: Date,
    /// The incident.
    pub incident: Option<crate::incident::IncidentReference>,
    /// Reflection.
    pub reflection: String,
    /// Support agreed.
    pub support: String,
}

impl SupervisionDraft {
    /// The reflection, or each field that is wrong by name.
    pub fn validate(&self, today: Date) -> Result<Supervision, FieldErrors> {
        let mut e = FieldErrors::new();
        let held_on = match self.held_on.trim().parse::<Date>() {
            Ok(d) if d <= today => Some(d),
            _ => {
                e.add(
                    "held_on",
                    "Enter the day of the supervision, today or before",
                );
                None
            }
        };
        let incident = if self.incident.trim().is_empty() {
            None
        } else {
            let r = crate::incident::IncidentReference::parse(self.incident.trim());
            if r.is_none() {
                e.add(
                    "incident",
                    "Enter the incident's reference, such as INC-000123, or leave it blank",
                );
            }
            r
        };
        let reflection = checked_text(
            &mut e,
            "reflection",
            &self.reflection,
            8_000,
            Some("Write the reflection"),
        );
        let support = checked_text(&mut e, "support", &self.support, 4_000, None);
        match (held_on, e.is_empty()) {
            (Some(held_on), true) => Ok(Supervision {
                held_on,
                incident,
                reflection,
                support,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fields<T>(r: Result<T, FieldErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_learning_log_names_each_missing_part() {
        let ok = LogDraft {
            activity: "Swimming more independently".into(),
            tried: "Changing in the family room with one carer nearby".into(),
            worked: "She chose her own kit".into(),
            did_not_work: "The busy Saturday session".into(),
            will_change: "Go on a Tuesday morning".into(),
            changes_support: "yes".into(),
        };
        assert!(ok.validate().unwrap().changes_support);
        assert_eq!(
            fields(LogDraft::default().validate()),
            [
                "activity",
                "tried",
                "worked",
                "did_not_work",
                "will_change",
                "changes_support"
            ]
        );
    }

    #[test]
    fn practice_is_held_between_the_incident_and_today() {
        let p = PracticeDraft {
            held_on: "2026-11-20".into(),
            participants: "Night team".into(),
            reflections: "Checks were rushed at 06:00".into(),
            changes: "Stagger the morning checks".into(),
        };
        let window = (d("2026-11-18"), d("2026-11-23"));
        assert!(p.validate(window).is_ok());
        let early = PracticeDraft {
            held_on: "2026-11-17".into(),
            ..p.clone()
        };
        assert_eq!(fields(early.validate(window)), ["held_on"]);
    }

    #[test]
    fn involvement_needs_who_and_something_they_said() {
        let rep = InvolvementDraft {
            who: "representative".into(),
            representative: String::new(),
            ..Default::default()
        };
        assert_eq!(fields(rep.validate()), ["representative"]);
        let silent = InvolvementDraft {
            who: "person".into(),
            ..Default::default()
        };
        assert_eq!(fields(silent.validate()), ["account"]);
        let ok = InvolvementDraft {
            who: "person".into(),
            wishes: "A sensor mat, not bed rails".into(),
            ..Default::default()
        };
        assert_eq!(ok.validate().unwrap().representative, None);
        assert_eq!(fields(InvolvementDraft::default().validate()), ["who"]);
    }

    #[test]
    fn supervision_is_checked_by_field() {
        let s = SupervisionDraft {
            staff: String::new(),
            held_on: "2026-11-23".into(),
            incident: "INC-000004".into(),
            reflection: "I gave the 08:00 dose late".into(),
            support: String::new(),
        };
        assert_eq!(
            s.validate(d("2026-11-23")).unwrap().incident.map(|r| r.0),
            Some(4)
        );
        let bad = SupervisionDraft {
            held_on: "2026-11-24".into(),
            incident: "last week".into(),
            reflection: " ".into(),
            ..s
        };
        assert_eq!(
            fields(bad.validate(d("2026-11-23"))),
            ["held_on", "incident", "reflection"]
        );
    }
}
