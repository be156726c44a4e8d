//! Where an incident is in its life, and which moves are allowed:
//! reported → triaged → under review (or under investigation) → awaiting
//! sign-off → closed, and reopened with a reason. The guards on closing are
//! here, as plain reasons a manager can act on.

use crate::incident::IncidentStatus;

/// A move from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Triage the report.
    Triage,
    /// Start the review the triage chose.
    StartReview,
    /// Start a serious incident investigation.
    StartInvestigation,
    /// The review or investigation is done: ask a manager to sign it off.
    RequestSignOff,
    /// A manager sends it back for more work.
    SendBack,
    /// A manager signs it off and closes it.
    Close,
    /// Open a closed incident again.
    Reopen,
}

impl Move {
    /// Every move, in the order they usually happen.
    pub const ALL: [Move; 7] = [
        Move::Triage,
        Move::StartReview,
        Move::StartInvestigation,
        Move::RequestSignOff,
        Move::SendBack,
        Move::Close,
        Move::Reopen,
    ];

    /// The code used in forms and the API.
    pub fn code(self) -> &'static str {
        match self {
            Move::Triage => "triage",
            Move::StartReview => "start_review",
            Move::StartInvestigation => "start_investigation",
            Move::RequestSignOff => "request_sign_off",
            Move::SendBack => "send_back",
            Move::Close => "close",
            Move::Reopen => "reopen",
        }
    }

    /// Reads a move's code.
    pub fn parse(code: &str) -> Option<Move> {
        Move::ALL.into_iter().find(|m| m.code() == code)
    }

    /// The status the move leads to.
    pub fn to(self) -> IncidentStatus {
        match self {
            Move::Triage => IncidentStatus::Triaged,
            Move::StartReview | Move::SendBack | Move::Reopen => IncidentStatus::UnderReview,
            Move::StartInvestigation => IncidentStatus::UnderInvestigation,
            Move::RequestSignOff => IncidentStatus::AwaitingSignOff,
            Move::Close => IncidentStatus::Closed,
        }
    }

    /// The statuses the move may start from.
    pub fn from(self) -> &'static [IncidentStatus] {
        use IncidentStatus as S;
        match self {
            Move::Triage => &[S::Reported],
            Move::StartReview => &[S::Triaged, S::UnderInvestigation],
            Move::StartInvestigation => &[S::Triaged, S::UnderReview],
            Move::RequestSignOff => &[S::Triaged, S::UnderReview, S::UnderInvestigation],
            Move::SendBack => &[S::AwaitingSignOff],
            Move::Close => &[S::AwaitingSignOff],
            Move::Reopen => &[S::Closed],
        }
    }
}

/// What closing depends on, read from the record when someone tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CloseFacts {
    /// The reporter has been given feedback (or is giving it now).
    pub feedback_given: bool,
    /// Actions from this incident not yet completed.
    pub open_actions: u32,
    /// Of those, how many are carried into an improvement plan.
    pub open_actions_in_plan: u32,
    /// A serious incident investigation of it is still under way.
    pub investigation_open: bool,
}

/// Whether `mv` may happen now, with a note (sign-off note, or reason to
/// reopen or send back). `Err` holds every reason it may not, in words.
pub fn check_move(
    from: IncidentStatus,
    mv: Move,
    note: &str,
    facts: CloseFacts,
) -> Result<IncidentStatus, Vec<String>> {
    let mut reasons = Vec::new();
    if !mv.from().contains(&from) {
        reasons.push(format!(
            "It is {}, so it cannot be {} now",
            from.label().to_lowercase(),
            match mv {
                Move::Triage => "triaged",
                Move::StartReview => "put under review",
                Move::StartInvestigation => "put under investigation",
                Move::RequestSignOff => "sent for sign-off",
                Move::SendBack => "sent back",
                Move::Close => "closed",
                Move::Reopen => "reopened",
            }
        ));
    }
    let note = note.trim();
    if matches!(mv, Move::RequestSignOff | Move::Close) && facts.investigation_open {
        reasons.push(
            "The serious incident investigation is still under way: complete its report first"
                .to_owned(),
        );
    }
    match mv {
        Move::Close => {
            if !facts.feedback_given {
                reasons.push(
                    "Give the reporter feedback first: what was found and what changed".to_owned(),
                );
            }
            if note.is_empty() {
                reasons.push("Write a sign-off note: what was decided and why".to_owned());
            }
            let outside_plan = facts
                .open_actions
                .saturating_sub(facts.open_actions_in_plan);
            if outside_plan > 0 {
                reasons.push(open_actions_reason(outside_plan));
            }
        }
        Move::Reopen if note.is_empty() => {
            reasons.push("Say why it is being reopened".to_owned());
        }
        Move::SendBack if note.is_empty() => {
            reasons.push("Say what more is needed before it can be signed off".to_owned());
        }
        _ => {}
    }
    if reasons.is_empty() {
        Ok(mv.to())
    } else {
        Err(reasons)
    }
}

/// Why an incident with `outside_plan` open actions (not carried into an
/// improvement plan) cannot close.
pub fn open_actions_reason(outside_plan: u32) -> String {
    let one = outside_plan == 1;
    format!(
        "{outside_plan} action{} still open: complete {} or carry {} into the service's improvement plan",
        if one { " is" } else { "s are" },
        if one { "it" } else { "them" },
        if one { "it" } else { "them" },
    )
}

/// Whether an incident in this status is still open (not closed).
pub fn is_open(status: IncidentStatus) -> bool {
    status != IncidentStatus::Closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use IncidentStatus as S;

    fn ready() -> CloseFacts {
        CloseFacts {
            feedback_given: true,
            open_actions: 0,
            open_actions_in_plan: 0,
            investigation_open: false,
        }
    }

    #[test]
    fn an_open_investigation_holds_back_sign_off_and_closing() {
        let facts = CloseFacts {
            investigation_open: true,
            ..ready()
        };
        for (from, mv) in [
            (S::UnderInvestigation, Move::RequestSignOff),
            (S::AwaitingSignOff, Move::Close),
        ] {
            let e = check_move(from, mv, "Signed", facts)
                .err()
                .unwrap_or_default();
            assert_eq!(
                e,
                [
                    "The serious incident investigation is still under way: complete its report first"
                ],
                "{mv:?}"
            );
        }
        assert!(check_move(S::AwaitingSignOff, Move::SendBack, "More", facts).is_ok());
    }

    #[test]
    fn the_usual_path_runs_from_report_to_closure() {
        let path = [
            (S::Reported, Move::Triage, S::Triaged),
            (S::Triaged, Move::StartReview, S::UnderReview),
            (S::UnderReview, Move::RequestSignOff, S::AwaitingSignOff),
            (S::AwaitingSignOff, Move::Close, S::Closed),
            (S::Closed, Move::Reopen, S::UnderReview),
        ];
        for (from, mv, to) in path {
            assert_eq!(
                check_move(from, mv, "Noted", ready()),
                Ok(to),
                "{from:?} {mv:?}"
            );
        }
    }

    #[test]
    fn moves_from_the_wrong_status_are_refused_with_a_reason() {
        let e = check_move(S::Reported, Move::Close, "x", ready())
            .err()
            .unwrap_or_default();
        assert_eq!(e, ["It is reported, so it cannot be closed now"]);
        assert!(check_move(S::Closed, Move::Triage, "", ready()).is_err());
        assert!(check_move(S::Triaged, Move::Reopen, "why", ready()).is_err());
    }

    #[test]
    fn closing_needs_feedback_a_note_and_no_open_actions_outside_a_plan() {
        let facts = CloseFacts {
            feedback_given: false,
            open_actions: 3,
            open_actions_in_plan: 1,
            investigation_open: false,
        };
        let e = check_move(S::AwaitingSignOff, Move::Close, " ", facts)
            .err()
            .unwrap_or_default();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("feedback"));
        assert!(e[1].contains("sign-off note"));
        assert!(e[2].starts_with("2 actions are still open"));
        let carried = CloseFacts {
            open_actions: 2,
            open_actions_in_plan: 2,
            ..ready()
        };
        assert_eq!(
            check_move(S::AwaitingSignOff, Move::Close, "Done", carried),
            Ok(S::Closed)
        );
    }

    #[test]
    fn reopening_and_sending_back_need_a_reason() {
        assert!(check_move(S::Closed, Move::Reopen, "", ready()).is_err());
        assert!(check_move(S::AwaitingSignOff, Move::SendBack, "", ready()).is_err());
        assert_eq!(
            check_move(
                S::AwaitingSignOff,
                Move::SendBack,
                "Add the GP's view",
                ready()
            ),
            Ok(S::UnderReview)
        );
    }

    #[test]
    fn every_status_but_closed_is_open() {
        for s in IncidentStatus::ALL {
            assert_eq!(is_open(*s), *s != S::Closed);
        }
    }
}
