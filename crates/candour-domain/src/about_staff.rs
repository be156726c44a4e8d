//! Reports about staff. Staff raise concerns about a colleague only if it
//! is safe to, so:
//!
//! - a member of staff named as alleged to have caused harm never sees the
//!   report (it does not exist for them), from the moment they are named;
//! - on a report about staff, who made it is shown only to those who
//!   handle such reports in its service, never to the person named or to
//!   peers;
//! - a report about a manager goes to the level above them.
//!
//! The rules are here as plain functions; the actions layer applies them.

use crate::details::{AllegedBy, Details};
use crate::involvement::InvolvementRole;
use crate::role::Role;

/// Whether a member of staff with `part` in a report may not see it.
pub fn hides_report(part: InvolvementRole) -> bool {
    part == InvolvementRole::AllegedPerpetrator
}

/// Whether a report is about staff: someone on the staff list is named as
/// alleged to have caused harm (`staff_alleged`), or it is a safeguarding
/// concern whose reporter said a member of staff is alleged to have caused it.
pub fn is_about_staff(staff_alleged: bool, details: &Details) -> bool {
    staff_alleged
        || matches!(
            details,
            Details::Safeguarding {
                alleged_by: AllegedBy::Staff,
                ..
            }
        )
}

/// Whether someone holding `role` over a report's service handles reports
/// about staff, and so may see who made one: the registered manager and
/// those above them in the line, quality assurance, and a designated
/// safeguarding lead (who sees only safeguarding concerns).
pub fn handles_reports_about_staff(role: Role) -> bool {
    matches!(
        role,
        Role::RegisteredManager
            | Role::RegionalManager
            | Role::HeadOfOperations
            | Role::QualityAssurance
            | Role::SafeguardingLead
    )
}

/// The line of management, from the service up.
const LINE: [Role; 4] = [
    Role::SeniorCarer,
    Role::RegisteredManager,
    Role::RegionalManager,
    Role::HeadOfOperations,
];

/// Who first handles a report about staff, given the roles the people
/// named hold over its service: the registered manager, unless one of them
/// is a registered manager (then the regional manager) or a regional
/// manager (then the head of operations); a head of operations named sends
/// it to quality assurance. Reports naming nobody in the line go to the
/// registered manager, as every report does.
pub fn first_handler(named: &[Role]) -> Role {
    let top = named
        .iter()
        .filter_map(|r| LINE.iter().position(|l| l == r))
        .max();
    match top {
        Some(i) if i + 1 < LINE.len() => LINE[i + 1].max(Role::RegisteredManager),
        Some(_) => Role::QualityAssurance,
        None => Role::RegisteredManager,
    }
}

/// Whether a report naming people with `named` roles over its service goes
/// to the board as well: when a head of operations is named, nobody in the
/// line stands above them, so quality assurance and the board-level person
/// the organisation designates hear of it.
pub fn goes_to_board(named: &[Role]) -> bool {
    named.contains(&Role::HeadOfOperations)
}

/// The ladder a report climbs when a timescale is missed, from the first
/// person to handle it.
const LADDER: [Role; 4] = [
    Role::RegisteredManager,
    Role::RegionalManager,
    Role::HeadOfOperations,
    Role::QualityAssurance,
];

/// Who is told at the step of escalation that would go to `step` (the
/// registered manager, regional manager or head of operations) for a report
/// whose first handler is `first`: the ladder moved up so that it starts
/// at `first`, and never past quality assurance.
pub fn routed(step: Role, first: Role) -> Role {
    let at = |r: Role| LADDER.iter().position(|l| *l == r).unwrap_or(0);
    LADDER[(at(step) + at(first)).min(LADDER.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_head_of_operations_named_goes_to_the_board() {
        let cases = [
            (vec![], false),
            (vec![Role::CareWorker], false),
            (vec![Role::RegisteredManager], false),
            (vec![Role::RegionalManager, Role::QualityAssurance], false),
            (vec![Role::HeadOfOperations], true),
            (vec![Role::CareWorker, Role::HeadOfOperations], true),
        ];
        for (named, board) in cases {
            assert_eq!(goes_to_board(&named), board, "{named:?}");
        }
    }
    use crate::details::{AbuseType, FallSeen, YesNo};

    fn safeguarding(by: AllegedBy) -> Details {
        Details::Safeguarding {
            abuse_type: Some(AbuseType::Physical),
            alleged_by: by,
            protection: None,
        }
    }

    #[test]
    fn only_the_person_alleged_to_have_caused_harm_is_kept_out() {
        let table = [
            (InvolvementRole::AllegedPerpetrator, true),
            (InvolvementRole::Witness, false),
            (InvolvementRole::Affected, false),
            (InvolvementRole::StaffInvolved, false),
        ];
        for (part, hidden) in table {
            assert_eq!(hides_report(part), hidden, "{part:?}");
        }
    }

    #[test]
    fn a_report_is_about_staff_when_staff_are_alleged_to_have_caused_harm() {
        let fall = Details::Fall {
            seen: FallSeen::FoundOnFloor,
            head_struck: YesNo::No,
            anticoagulant: YesNo::No,
            location: None,
            footwear: None,
            equipment: Vec::new(),
            body_sites: Vec::new(),
        };
        let table = [
            (false, safeguarding(AllegedBy::Staff), true),
            (false, safeguarding(AllegedBy::AnotherResident), false),
            (false, safeguarding(AllegedBy::Unknown), false),
            (true, safeguarding(AllegedBy::Family), true),
            (true, fall.clone(), true),
            (false, fall, false),
            (false, Details::None, false),
        ];
        for (named, details, about) in table {
            assert_eq!(is_about_staff(named, &details), about, "{details:?}");
        }
    }

    #[test]
    fn managers_and_quality_assurance_handle_reports_about_staff_and_no_one_else() {
        let table = [
            (Role::CareWorker, false),
            (Role::SeniorCarer, false),
            (Role::RegisteredManager, true),
            (Role::RegionalManager, true),
            (Role::HeadOfOperations, true),
            (Role::QualityAssurance, true),
            (Role::SafeguardingLead, true),
            (Role::BoardMember, false),
            (Role::Administrator, false),
        ];
        for (role, handles) in table {
            assert_eq!(handles_reports_about_staff(role), handles, "{role:?}");
        }
    }

    #[test]
    fn escalation_climbs_from_whoever_handles_it_first() {
        use Role as R;
        let table = [
            (
                R::RegisteredManager,
                R::RegisteredManager,
                R::RegisteredManager,
            ),
            (R::RegionalManager, R::RegisteredManager, R::RegionalManager),
            (
                R::HeadOfOperations,
                R::RegisteredManager,
                R::HeadOfOperations,
            ),
            (R::RegisteredManager, R::RegionalManager, R::RegionalManager),
            (R::RegionalManager, R::RegionalManager, R::HeadOfOperations),
            (R::HeadOfOperations, R::RegionalManager, R::QualityAssurance),
            (
                R::RegisteredManager,
                R::HeadOfOperations,
                R::HeadOfOperations,
            ),
            (R::RegionalManager, R::HeadOfOperations, R::QualityAssurance),
            (
                R::HeadOfOperations,
                R::QualityAssurance,
                R::QualityAssurance,
            ),
        ];
        for (step, first, told) in table {
            assert_eq!(routed(step, first), told, "{step:?} from {first:?}");
        }
    }

    #[test]
    fn a_report_about_a_manager_goes_above_them() {
        use Role as R;
        let table: [(&[Role], Role); 9] = [
            (&[], R::RegisteredManager),
            (&[R::CareWorker], R::RegisteredManager),
            (&[R::SeniorCarer], R::RegisteredManager),
            (&[R::RegisteredManager], R::RegionalManager),
            (&[R::CareWorker, R::RegisteredManager], R::RegionalManager),
            (&[R::RegionalManager], R::HeadOfOperations),
            (
                &[R::RegisteredManager, R::RegionalManager],
                R::HeadOfOperations,
            ),
            (&[R::HeadOfOperations], R::QualityAssurance),
            (&[R::BoardMember, R::Administrator], R::RegisteredManager),
        ];
        for (named, first) in table {
            assert_eq!(first_handler(named), first, "{named:?}");
        }
    }
}
