//! Speaking up: concerns that are not incidents (care practice, culture,
//! bullying, a manager's conduct) raised with a speaking-up guardian outside
//! the service's line management, by name in confidence or anonymously with
//! a case code. The rules here: what a concern needs, who may handle one,
//! and when acknowledgement and feedback fall due.

use crate::ids::{RegionId, ServiceId};
use crate::role::{Grant, Role, Scope};
use crate::validation::FieldErrors;

/// Longest description, message or outcome, in characters.
pub const MAX_TEXT: usize = 10_000;

/// What a concern is about, as counted in the board report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Theme {
    /// How care is given: unsafe or poor practice.
    Practice,
    /// The culture of a team or service.
    Culture,
    /// Bullying, harassment or discrimination.
    Bullying,
    /// How a manager behaves or uses their position.
    ManagerConduct,
    /// Anything else.
    Other,
}

impl Theme {
    /// Every theme, in the order shown.
    pub const ALL: [Theme; 5] = [
        Theme::Practice,
        Theme::Culture,
        Theme::Bullying,
        Theme::ManagerConduct,
        Theme::Other,
    ];

    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Theme::Practice => "practice",
            Theme::Culture => "culture",
            Theme::Bullying => "bullying",
            Theme::ManagerConduct => "manager_conduct",
            Theme::Other => "other",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Theme::Practice => "Care practice",
            Theme::Culture => "Culture of the team or service",
            Theme::Bullying => "Bullying, harassment or discrimination",
            Theme::ManagerConduct => "A manager's conduct",
            Theme::Other => "Something else",
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// Whether the guardian knows who raised the concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// Named to the guardian only, never to the line.
    Confidential,
    /// Nobody knows; the raiser follows it with a case code.
    Anonymous,
}

impl Identity {
    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Identity::Confidential => "confidential",
            Identity::Anonymous => "anonymous",
        }
    }

    /// Reads a code.
    pub fn parse(code: &str) -> Option<Identity> {
        [Identity::Confidential, Identity::Anonymous]
            .into_iter()
            .find(|i| i.code() == code)
    }
}

/// Where a concern stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Raised, not yet acknowledged by a guardian.
    Raised,
    /// A guardian has acknowledged it and is looking into it.
    Acknowledged,
    /// A guardian has recorded the outcome.
    Closed,
}

impl Status {
    /// Stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Status::Raised => "raised",
            Status::Acknowledged => "acknowledged",
            Status::Closed => "closed",
        }
    }

    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Raised => "Waiting for the guardian",
            Status::Acknowledged => "Being looked into",
            Status::Closed => "Outcome given",
        }
    }

    /// Where a concern stands from when it was acknowledged and closed.
    pub fn of(acknowledged: bool, closed: bool) -> Status {
        match (acknowledged, closed) {
            (_, true) => Status::Closed,
            (true, false) => Status::Acknowledged,
            (false, false) => Status::Raised,
        }
    }
}

/// A concern as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConcernDraft {
    /// Theme code.
    pub theme: String,
    /// The service it is about, or empty for the organisation as a whole.
    pub service_id: String,
    /// What the concern is.
    pub description: String,
    /// `confidential` or `anonymous`.
    pub identity: String,
}

/// A concern that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConcern {
    /// What it is about.
    pub theme: Theme,
    /// The service, or none for the organisation as a whole.
    pub service_id: Option<ServiceId>,
    /// What the concern is, trimmed.
    pub description: String,
    /// Whether the raiser is named to the guardian.
    pub identity: Identity,
}

impl ConcernDraft {
    /// Applies every rule, naming each field that breaks one.
    pub fn validate(&self) -> Result<NewConcern, FieldErrors> {
        let mut e = FieldErrors::new();
        let theme = Theme::parse(self.theme.trim());
        if theme.is_none() {
            e.add("theme", "Choose what your concern is about");
        }
        let service_id = match self.service_id.trim() {
            "" => None,
            s => match s.parse() {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add(
                        "service_id",
                        "Choose a service, or the organisation as a whole",
                    );
                    None
                }
            },
        };
        let description = text(&mut e, "description", &self.description, "your concern");
        let identity = Identity::parse(self.identity.trim());
        if identity.is_none() {
            e.add(
                "identity",
                "Choose whether to give your name to the guardian or stay anonymous",
            );
        }
        match (theme, identity) {
            (Some(theme), Some(identity)) if e.is_empty() => Ok(NewConcern {
                theme,
                service_id,
                description,
                identity,
            }),
            _ => Err(e),
        }
    }
}

/// Checks a message or an outcome: not empty, not too long; the error names `field`.
pub fn check_text(field: &str, value: &str, what: &str) -> Result<String, FieldErrors> {
    let mut e = FieldErrors::new();
    let t = text(&mut e, field, value, what);
    e.into_result(t)
}

fn text(e: &mut FieldErrors, field: &str, value: &str, what: &str) -> String {
    let t = value.trim();
    if t.is_empty() {
        e.add(field, format!("Write {what}"));
    } else if t.chars().count() > MAX_TEXT {
        e.add(
            field,
            format!("Keep {what} to {MAX_TEXT} characters or fewer"),
        );
    }
    t.to_owned()
}

/// Roles that manage a service: a guardian who holds one over the service a
/// concern is about is in its line and does not handle it.
pub fn is_line_role(role: Role) -> bool {
    matches!(
        role,
        Role::SeniorCarer
            | Role::RegisteredManager
            | Role::RegionalManager
            | Role::HeadOfOperations
    )
}

/// Whether a grant reaches a concern about `about` (a service and its
/// region), or, for a concern about the whole organisation, only an
/// organisation-wide grant does.
fn reaches(scope: Scope, about: Option<(ServiceId, RegionId)>) -> bool {
    match about {
        Some((s, r)) => scope.covers(s, r),
        None => scope == Scope::Organisation,
    }
}

/// Whether someone holding `grants` handles a concern about `about`: a
/// speaking-up guardian whose grant reaches it, holding no line role that
/// reaches it.
pub fn handles(grants: &[Grant], about: Option<(ServiceId, RegionId)>) -> bool {
    let guardian = grants
        .iter()
        .any(|g| g.role == Role::SpeakingUpGuardian && reaches(g.scope, about));
    let in_line = grants
        .iter()
        .any(|g| is_line_role(g.role) && reaches(g.scope, about));
    guardian && !in_line
}

/// How quickly a guardian acknowledges a concern and gives feedback, in
/// calendar days from raising. An organisation sets its own; the defaults
/// are Candour's starting point, not a legal requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpeakUpSettings {
    /// Days to acknowledge.
    pub acknowledge_days: u32,
    /// Days to give the raiser feedback on what was done.
    pub feedback_days: u32,
}

impl Default for SpeakUpSettings {
    fn default() -> Self {
        SpeakUpSettings {
            acknowledge_days: 2,
            feedback_days: 28,
        }
    }
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

impl SpeakUpSettings {
    /// When acknowledgement falls due for a concern raised at `raised_ms` (epoch ms).
    pub fn acknowledge_due(self, raised_ms: i64) -> i64 {
        raised_ms + i64::from(self.acknowledge_days) * DAY_MS
    }

    /// When feedback falls due for a concern raised at `raised_ms`.
    pub fn feedback_due(self, raised_ms: i64) -> i64 {
        raised_ms + i64::from(self.feedback_days) * DAY_MS
    }

    /// What is late at `now_ms` for a concern raised at `raised_ms`, with
    /// when it was acknowledged and closed: (acknowledgement late, feedback late).
    pub fn lateness(
        self,
        raised_ms: i64,
        acknowledged_ms: Option<i64>,
        closed_ms: Option<i64>,
        now_ms: i64,
    ) -> (bool, bool) {
        let late = |due: i64, done: Option<i64>| done.map_or(now_ms > due, |d| d > due);
        (
            late(self.acknowledge_due(raised_ms), acknowledged_ms),
            late(self.feedback_due(raised_ms), closed_ms),
        )
    }
}

/// The timescales as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpeakUpSettingsDraft {
    /// Days to acknowledge.
    pub acknowledge_days: String,
    /// Days to give feedback.
    pub feedback_days: String,
}

impl SpeakUpSettingsDraft {
    /// The form filled from the settings in force.
    pub fn from_settings(s: SpeakUpSettings) -> Self {
        SpeakUpSettingsDraft {
            acknowledge_days: s.acknowledge_days.to_string(),
            feedback_days: s.feedback_days.to_string(),
        }
    }

    /// Acknowledge within 1 to 14 days; feedback within 1 to 90 days and
    /// no sooner than acknowledgement.
    pub fn validate(&self) -> Result<SpeakUpSettings, FieldErrors> {
        let mut e = FieldErrors::new();
        let ack = crate::settings::number(
            &mut e,
            "acknowledge_days",
            &self.acknowledge_days,
            (1, 14),
            "the days to acknowledge a concern",
        );
        let feedback = crate::settings::number(
            &mut e,
            "feedback_days",
            &self.feedback_days,
            (1, 90),
            "the days to give feedback",
        );
        if e.is_empty() && feedback < ack {
            e.add(
                "feedback_days",
                "Feedback cannot fall due before acknowledgement: make it at least as many days",
            );
        }
        e.into_result(SpeakUpSettings {
            acknowledge_days: ack,
            feedback_days: feedback,
        })
    }
}

/// A concern's human-readable reference, such as `SPK-000012`.
pub fn reference(n: i64) -> String {
    format!("SPK-{n:06}")
}

/// Reads `SPK-000012`, `spk-12` or `12`.
pub fn parse_reference(s: &str) -> Option<i64> {
    crate::ids::parse_numbered("SPK-", s)
}

#[cfg(test)]
#[path = "speaking_up_tests.rs"]
mod tests;
