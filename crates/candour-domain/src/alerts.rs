//! The register of external guidance and safety alerts (issue 6, domain.md
//! §11): National Patient Safety Alerts, MHRA drug and device alerts, NICE
//! guidance, CQC publications, Ombudsman decisions. Each is logged when
//! received, acknowledged, judged relevant or not with a reason, given an
//! owner and actions by the alert's own deadline, told to staff, completed
//! with evidence and signed off by a senior manager. Overdue alerts escalate.

use crate::validation::{FieldErrors, checked_text};
use jiff::civil::Date;

macro_rules! kinds {
    ($($v:ident = ($code:literal, $label:literal)),+ $(,)?) => {
        /// What kind of alert or guidance.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum AlertKind { $(#[doc = $label] $v),+ }
        impl AlertKind {
            /// Every kind, in the order the form offers them.
            pub const ALL: &'static [AlertKind] = &[$(AlertKind::$v),+];
            /// Stored code.
            pub fn code(self) -> &'static str { match self { $(AlertKind::$v => $code),+ } }
            /// Label.
            pub fn label(self) -> &'static str { match self { $(AlertKind::$v => $label),+ } }
            /// Reads a stored code.
            pub fn parse(s: &str) -> Option<AlertKind> { AlertKind::ALL.iter().copied().find(|k| k.code() == s) }
        }
    };
}

kinds! {
    NatPsa = ("natpsa", "National Patient Safety Alert"),
    MhraDevice = ("mhra_device", "MHRA device safety information"),
    MhraDrug = ("mhra_drug", "MHRA drug alert or recall"),
    Nice = ("nice", "NICE guidance"),
    Cqc = ("cqc", "CQC publication"),
    Lgsco = ("lgsco", "Ombudsman decision"),
    Estates = ("estates", "Estates and facilities alert"),
    Other = ("other", "Other guidance"),
}

/// An alert as typed when it is logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertDraft {
    /// The issuer's reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// An [`AlertKind`] code.
    pub kind: String,
    /// Issued on, `YYYY-MM-DD`.
    pub issued_on: String,
    /// Received on, `YYYY-MM-DD`.
    pub received_on: String,
    /// The alert's own deadline for action, `YYYY-MM-DD` (blank: none set).
    pub deadline: String,
    /// What it asks, in a few lines.
    pub summary: String,
}

/// An alert ready to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// Reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: AlertKind,
    /// Issued.
    pub issued_on: Date,
    /// Received.
    pub received_on: Date,
    /// Deadline.
    pub deadline: Option<Date>,
    /// Summary.
    pub summary: String,
}

impl AlertDraft {
    /// The alert, or each field that is wrong by name. Nothing is received
    /// after `today` or before it was issued; a deadline is not before issue.
    pub fn validate(&self, today: Date) -> Result<NewAlert, FieldErrors> {
        let mut e = FieldErrors::new();
        let reference = checked_text(
            &mut e,
            "reference",
            &self.reference,
            80,
            Some("Enter the alert's reference, such as NatPSA/2026/003"),
        );
        let title = checked_text(&mut e, "title", &self.title, 200, Some("Enter its title"));
        let kind = AlertKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "Choose what kind of alert or guidance it is");
        }
        let mut date = |field: &str, v: &str, what: &str| match v.trim().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                e.add(field, format!("Enter the date {what}, such as 2026-11-20"));
                None
            }
        };
        let issued_on = date("issued_on", &self.issued_on, "it was issued");
        let received_on = date("received_on", &self.received_on, "you received it");
        let deadline = if self.deadline.trim().is_empty() {
            None
        } else {
            date("deadline", &self.deadline, "action is due by the alert")
        };
        if let (Some(i), Some(r)) = (issued_on, received_on) {
            if r < i {
                e.add("received_on", "It cannot be received before it was issued");
            } else if r > today {
                e.add("received_on", "Enter a date that has come");
            }
        }
        if let (Some(i), Some(d)) = (issued_on, deadline)
            && d < i
        {
            e.add(
                "deadline",
                "The deadline cannot be before the alert was issued",
            );
        }
        let summary = checked_text(&mut e, "summary", &self.summary, 4_000, None);
        match (kind, issued_on, received_on, e.is_empty()) {
            (Some(kind), Some(issued_on), Some(received_on), true) => Ok(NewAlert {
                reference,
                title,
                kind,
                issued_on,
                received_on,
                deadline,
                summary,
            }),
            _ => Err(e),
        }
    }
}

/// Where an alert stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    /// Logged, not yet acknowledged.
    New,
    /// Acknowledged, relevance not yet decided.
    Acknowledged,
    /// Judged not to apply, with a reason (closed).
    NotRelevant,
    /// Relevant; actions under way.
    ActionUnderway,
    /// Actions done and evidence recorded; waiting for senior sign-off.
    Completed,
    /// Signed off by a senior manager (closed).
    SignedOff,
    /// Past its deadline and not completed.
    Overdue,
}

impl AlertStatus {
    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            AlertStatus::New => "New",
            AlertStatus::Acknowledged => "Acknowledged",
            AlertStatus::NotRelevant => "Not relevant",
            AlertStatus::ActionUnderway => "Action under way",
            AlertStatus::Completed => "Waiting for sign-off",
            AlertStatus::SignedOff => "Signed off",
            AlertStatus::Overdue => "Overdue",
        }
    }

    /// Whether nothing more is to be done.
    pub fn is_closed(self) -> bool {
        matches!(self, AlertStatus::NotRelevant | AlertStatus::SignedOff)
    }
}

/// What has been recorded of an alert, as the status needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Acknowledged.
    pub acknowledged: bool,
    /// Relevance decided: `Some(true)` relevant.
    pub relevant: Option<bool>,
    /// Completed with evidence.
    pub completed: bool,
    /// Signed off.
    pub signed_off: bool,
}

/// Where an alert stands on `today`: overdue once its deadline has passed
/// while it is neither completed nor closed.
pub fn status(p: Progress, deadline: Option<Date>, today: Date) -> AlertStatus {
    let base = match p {
        Progress {
            relevant: Some(false),
            ..
        } => AlertStatus::NotRelevant,
        Progress {
            signed_off: true, ..
        } => AlertStatus::SignedOff,
        Progress {
            completed: true, ..
        } => AlertStatus::Completed,
        Progress {
            relevant: Some(true),
            ..
        } => AlertStatus::ActionUnderway,
        Progress {
            acknowledged: true, ..
        } => AlertStatus::Acknowledged,
        _ => AlertStatus::New,
    };
    let open = !matches!(
        base,
        AlertStatus::NotRelevant | AlertStatus::SignedOff | AlertStatus::Completed
    );
    match deadline {
        Some(d) if open && d < today => AlertStatus::Overdue,
        _ => base,
    }
}

/// Who an overdue alert is escalated to, by days past its deadline: its
/// owner and the organisation's alert leads the day after, the head of
/// operations after 5 days (UNCONFIRMED defaults). Returns the levels
/// reached (1, 2).
pub fn escalations_due(deadline: Date, today: Date) -> Vec<u8> {
    let days = (today - deadline).get_days();
    [(1u8, 1i32), (2, 5)]
        .iter()
        .filter(|(_, after)| days >= *after)
        .map(|(level, _)| *level)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn draft() -> AlertDraft {
        AlertDraft {
            reference: "NatPSA/2026/003/MHRA".into(),
            title: "Bed rails: risk of entrapment".into(),
            kind: "natpsa".into(),
            issued_on: "2026-11-10".into(),
            received_on: "2026-11-11".into(),
            deadline: "2026-12-10".into(),
            summary: "Check every bed rail against the new gap measurements".into(),
        }
    }

    fn fields(r: Result<NewAlert, FieldErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_alert_is_checked_field_by_field() {
        let a = draft().validate(d("2026-11-23")).unwrap();
        assert_eq!(a.kind, AlertKind::NatPsa);
        assert_eq!(a.deadline, Some(d("2026-12-10")));
        assert_eq!(
            fields(
                AlertDraft {
                    reference: " ".into(),
                    kind: "rumour".into(),
                    received_on: "2026-11-01".into(),
                    deadline: "2026-11-01".into(),
                    ..draft()
                }
                .validate(d("2026-11-23"))
            ),
            ["reference", "kind", "received_on", "deadline"]
        );
        assert_eq!(
            fields(
                AlertDraft {
                    received_on: "2026-11-24".into(),
                    ..draft()
                }
                .validate(d("2026-11-23"))
            ),
            ["received_on"]
        );
        let no_deadline = AlertDraft {
            deadline: String::new(),
            ..draft()
        };
        assert_eq!(
            no_deadline.validate(d("2026-11-23")).unwrap().deadline,
            None
        );
    }

    #[test]
    fn status_follows_the_steps_and_the_deadline() {
        let today = d("2026-11-23");
        let due = Some(d("2026-12-10"));
        let p = Progress::default();
        assert_eq!(status(p, due, today), AlertStatus::New);
        let p = Progress {
            acknowledged: true,
            ..p
        };
        assert_eq!(status(p, due, today), AlertStatus::Acknowledged);
        let relevant = Progress {
            relevant: Some(true),
            ..p
        };
        assert_eq!(status(relevant, due, today), AlertStatus::ActionUnderway);
        assert_eq!(status(relevant, due, d("2026-12-11")), AlertStatus::Overdue);
        assert_eq!(
            status(relevant, due, d("2026-12-10")),
            AlertStatus::ActionUnderway
        );
        let done = Progress {
            completed: true,
            ..relevant
        };
        assert_eq!(status(done, due, d("2026-12-11")), AlertStatus::Completed);
        let signed = Progress {
            signed_off: true,
            ..done
        };
        assert_eq!(status(signed, due, d("2027-01-01")), AlertStatus::SignedOff);
        let not = Progress {
            relevant: Some(false),
            ..p
        };
        assert_eq!(status(not, due, d("2027-01-01")), AlertStatus::NotRelevant);
        assert_eq!(status(p, None, d("2030-01-01")), AlertStatus::Acknowledged);
    }

    #[test]
    fn overdue_alerts_climb() {
        let due = d("2026-12-10");
        assert!(escalations_due(due, d("2026-12-10")).is_empty());
        assert_eq!(escalations_due(due, d("2026-12-11")), [1]);
        assert_eq!(escalations_due(due, d("2026-12-15")), [1, 2]);
    }

    proptest! {
        /// A closed alert is never overdue, whatever the day.
        #[test]
        fn closed_alerts_are_never_overdue(ack: bool, rel in proptest::option::of(any::<bool>()), done: bool, signed: bool, days in -400i32..400) {
            let p = Progress { acknowledged: ack, relevant: rel, completed: done, signed_off: signed };
            let today = d("2026-11-23").checked_add(jiff::Span::new().days(days)).unwrap();
            let s = status(p, Some(d("2026-11-23")), today);
            if s.is_closed() || s == AlertStatus::Completed {
                prop_assert!(s != AlertStatus::Overdue);
            }
            if days <= 0 {
                prop_assert!(s != AlertStatus::Overdue);
            }
        }
    }
}
