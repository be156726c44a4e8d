//! Actions that change practice: SMART actions with an owner and a due date,
//! linked to incidents or standing in a service's improvement plan, tagged
//! with the CQC 2018 themes they address (shared/domain.md §13.4), completed
//! with evidence, and checked later for whether they worked.

use crate::organisation::code_enum;
use crate::validation::FieldErrors;
use jiff::civil::Date;

code_enum! {
    /// The four themes of CQC's "Learning from safety incidents" (2018).
    CqcTheme {
        /// Quality and use of risk assessments.
        RiskAssessment = ("risk_assessment", "Risk assessment"),
        /// Records, including medicines records and stock.
        Documentation = ("documentation", "Documentation, including medicines records"),
        /// Equipment.
        Equipment = ("equipment", "Equipment"),
        /// Staff training, including national safety alerts.
        Training = ("training", "Staff training, including safety alerts"),
    }
}

code_enum! {
    /// Where an action stands.
    ActionStatus {
        /// Agreed, not started.
        Open = ("open", "Open"),
        /// Under way.
        InProgress = ("in_progress", "In progress"),
        /// Done, with evidence.
        Done = ("done", "Done"),
        /// No longer needed, with a reason.
        Cancelled = ("cancelled", "Cancelled"),
    }
}

code_enum! {
    /// Whether a completed action worked, when checked later.
    Effectiveness {
        /// It worked.
        Worked = ("worked", "It worked"),
        /// Partly.
        Partly = ("partly", "It partly worked"),
        /// It did not.
        DidNotWork = ("did_not_work", "It did not work"),
    }
}

impl ActionStatus {
    /// Whether the action still needs doing.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// A new action as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionDraft {
    /// What will be done, in a line.
    pub title: String,
    /// How: specific, measurable, with how we will know it is done.
    pub description: String,
    /// Owner (a user id).
    pub owner: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_on: String,
    /// CQC theme codes.
    pub themes: Vec<String>,
    /// Whether it stands in the service's improvement plan.
    pub in_plan: bool,
}

/// A new action that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAction {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Owner.
    pub owner: crate::ids::UserId,
    /// Due date.
    pub due_on: Date,
    /// Themes, without repeats.
    pub themes: Vec<CqcTheme>,
    /// In the improvement plan.
    pub in_plan: bool,
}

impl ActionDraft {
    /// Applies every rule. `today` is the UK date now; `not_before` is the
    /// earliest date it may be due (the incident's day, if it has one).
    pub fn validate(
        &self,
        today: Date,
        not_before: Option<Date>,
    ) -> Result<NewAction, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            e.add("title", "Say in a line what will be done");
        } else if title.chars().count() > 200 {
            e.add("title", "Keep the title to 200 characters or fewer");
        }
        let description = self.description.trim().to_owned();
        if description.is_empty() {
            e.add(
                "description",
                "Say how it will be done and how you will know it is done",
            );
        } else if description.chars().count() > 4_000 {
            e.add(
                "description",
                "Keep the description to 4000 characters or fewer",
            );
        }
        let owner = self.owner.trim().parse().ok();
        if owner.is_none() {
            e.add("owner", "Choose who owns the action");
        }
        let due_on = match self.due_on.trim().parse::<Date>() {
            Ok(d) if not_before.is_some_and(|n| d < n) => {
                e.add(
                    "due_on",
                    "The action cannot be due before the incident happened",
                );
                None
            }
            Ok(d) if d < today => {
                e.add("due_on", "The due date must be today or later");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.add("due_on", "Enter the date it is due, like 2026-12-31");
                None
            }
        };
        let mut themes = Vec::new();
        for code in &self.themes {
            match CqcTheme::parse(code.trim()) {
                Some(t) if !themes.contains(&t) => themes.push(t),
                Some(_) => {}
                None => e.add("themes", "Choose themes from the list"),
            }
        }
        match (owner, due_on) {
            (Some(owner), Some(due_on)) if e.is_empty() => Ok(NewAction {
                title,
                description,
                owner,
                due_on,
                themes,
                in_plan: self.in_plan,
            }),
            _ => Err(e),
        }
    }
}

/// `ACT-000012`.
pub fn action_reference(n: i64) -> String {
    format!("ACT-{n:06}")
}

/// Reads `ACT-000012`, `act-12` or `12`.
pub fn parse_action_reference(s: &str) -> Option<i64> {
    crate::ids::parse_numbered("ACT-", s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn draft() -> ActionDraft {
        ActionDraft {
            title: "Check bath mats on the morning round".into(),
            description:
                "Senior on shift checks every bathroom by 09:00 and signs the sheet; audit weekly."
                    .into(),
            owner: "0190b0d8-0000-7000-8000-000000000001".into(),
            due_on: "2026-12-14".into(),
            themes: vec![
                "equipment".into(),
                "equipment".into(),
                "risk_assessment".into(),
            ],
            in_plan: false,
        }
    }

    #[test]
    fn a_smart_action_passes_with_its_themes_once() {
        let a = draft().validate(date(2026, 11, 23), Some(date(2026, 11, 22)));
        let a = a.map(|a| a.themes);
        assert_eq!(a, Ok(vec![CqcTheme::Equipment, CqcTheme::RiskAssessment]));
    }

    #[test]
    fn each_problem_is_named() {
        type Breaker = fn(&mut ActionDraft);
        let cases: [(&str, Breaker); 6] = [
            ("title", |d| d.title.clear()),
            ("description", |d| d.description = " ".into()),
            ("owner", |d| d.owner = "someone".into()),
            ("due_on", |d| d.due_on = "next week".into()),
            ("due_on", |d| d.due_on = "2026-11-01".into()),
            ("themes", |d| d.themes = vec!["catering".into()]),
        ];
        for (field, breaker) in cases {
            let mut d = draft();
            breaker(&mut d);
            let e = d
                .validate(date(2026, 11, 23), None)
                .err()
                .unwrap_or_default();
            assert!(e.for_field(field).is_some(), "{field}: {e:?}");
        }
        let mut d = draft();
        d.due_on = "2026-11-20".into();
        let e = d
            .validate(date(2026, 11, 19), Some(date(2026, 11, 21)))
            .err()
            .unwrap_or_default();
        assert_eq!(
            e.for_field("due_on"),
            Some("The action cannot be due before the incident happened")
        );
    }

    #[test]
    fn references_round_trip() {
        assert_eq!(action_reference(12), "ACT-000012");
        assert_eq!(parse_action_reference("act-12"), Some(12));
        assert_eq!(parse_action_reference("ACT-000012"), Some(12));
        assert_eq!(parse_action_reference("INC-12"), None);
        assert_eq!(parse_action_reference("ACT-0"), None);
    }
}
