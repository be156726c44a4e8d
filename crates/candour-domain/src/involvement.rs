//! Who took part in an event and how: people using the service (from the
//! register) and staff (from the staff list), each with a role. Visitors
//! and others are free text on the report itself.

use crate::ids::{PersonId, UserId};
use crate::organisation::code_enum;
use crate::validation::FieldErrors;

code_enum! {
    /// The part a person played in an event.
    InvolvementRole {
        /// The person affected.
        Affected = ("affected", "Affected"),
        /// Saw what happened.
        Witness = ("witness", "Witness"),
        /// Alleged to have caused harm.
        AllegedPerpetrator = ("alleged_perpetrator", "Alleged to have caused harm"),
        /// A member of staff involved.
        StaffInvolved = ("staff_involved", "Staff involved"),
    }
}

/// Who took part: someone on the service's register, or a member of staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// A person using the service.
    Person(PersonId),
    /// A member of staff (their account).
    Staff(UserId),
}

impl Party {
    /// Reads `person:<uuid>` or `staff:<uuid>`, the form's value for a choice.
    pub fn parse(s: &str) -> Option<Party> {
        match s.trim().split_once(':')? {
            ("person", id) => id.parse().ok().map(Party::Person),
            ("staff", id) => id.parse().ok().map(Party::Staff),
            _ => None,
        }
    }

    /// The form's value for this choice: `person:<uuid>` or `staff:<uuid>`.
    pub fn code(&self) -> String {
        match self {
            Party::Person(p) => format!("person:{p}"),
            Party::Staff(u) => format!("staff:{u}"),
        }
    }
}

/// One checked line of "who else was involved".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Involved {
    /// Who.
    pub party: Party,
    /// Their part.
    pub role: InvolvementRole,
}

/// Most lines a report may carry (a larger event is written up by a manager).
pub const MAX_INVOLVED: usize = 50;

/// Checks typed (who, role) lines. A line left wholly blank is skipped (the
/// form offers spare lines); half a line, an unknown choice, or "staff
/// involved" for someone who is not staff is an error on `involved`.
/// Repeats are kept once.
pub fn parse_involved(lines: &[(String, String)]) -> Result<Vec<Involved>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut out: Vec<Involved> = Vec::new();
    let filled: Vec<(&str, &str)> = lines
        .iter()
        .map(|(w, r)| (w.trim(), r.trim()))
        .filter(|(w, r)| !w.is_empty() || !r.is_empty())
        .collect();
    if filled.len() > MAX_INVOLVED {
        errors.add(
            "involved",
            format!("Name at most {MAX_INVOLVED} people here; a manager can add more later"),
        );
        return Err(errors);
    }
    for (who, role) in filled {
        let party = match who {
            "" => {
                errors.add(
                    "involved",
                    "Choose who was involved for each part you chose",
                );
                continue;
            }
            w => match Party::parse(w) {
                Some(p) => p,
                None => {
                    errors.add(
                        "involved",
                        "Choose people from the register and staff from the staff list",
                    );
                    continue;
                }
            },
        };
        let role = match role {
            "" => {
                errors.add(
                    "involved",
                    "Say what part each person played: witness, alleged to have caused harm, affected or staff involved",
                );
                continue;
            }
            r => match InvolvementRole::parse(r) {
                Some(r) => r,
                None => {
                    errors.add("involved", "Choose each person's part from the list");
                    continue;
                }
            },
        };
        if role == InvolvementRole::StaffInvolved && matches!(party, Party::Person(_)) {
            errors.add(
                "involved",
                "Only a member of staff can be 'staff involved': choose witness or affected for a person using the service",
            );
            continue;
        }
        let line = Involved { party, role };
        if !out.contains(&line) {
            out.push(line);
        }
    }
    errors.into_result(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: &str = "person:0190b0d8-0000-7000-8000-000000000001";
    const S: &str = "staff:0190b0d8-0000-7000-8000-000000000002";

    fn lines(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn blank_lines_are_skipped_and_repeats_kept_once() {
        let got = parse_involved(&lines(&[
            ("", ""),
            (P, "witness"),
            (S, "staff_involved"),
            (P, "witness"),
            ("  ", " "),
        ]));
        let got = got.map(|v| v.iter().map(|i| i.role.code()).collect::<Vec<_>>());
        assert_eq!(got, Ok(vec!["witness", "staff_involved"]));
    }

    #[test]
    fn each_broken_line_is_named_on_involved() {
        for (who, role) in [
            (P, ""),
            ("", "witness"),
            ("person:not-a-uuid", "witness"),
            ("visitor:0190b0d8-0000-7000-8000-000000000001", "witness"),
            (P, "bystander"),
            (P, "staff_involved"),
        ] {
            let errs = parse_involved(&lines(&[(who, role)])).err();
            assert!(
                errs.as_ref()
                    .and_then(|e| e.for_field("involved"))
                    .is_some(),
                "{who:?} {role:?} gave {errs:?}"
            );
        }
    }

    #[test]
    fn too_many_lines_are_refused() {
        let many: Vec<(String, String)> = (0..=MAX_INVOLVED)
            .map(|n| {
                (
                    format!("person:0190b0d8-0000-7000-8000-{n:012}"),
                    "witness".to_owned(),
                )
            })
            .collect();
        assert!(parse_involved(&many).is_err());
        assert!(parse_involved(&many[..MAX_INVOLVED]).is_ok());
    }

    #[test]
    fn a_party_round_trips_through_its_code() {
        for code in [P, S] {
            assert_eq!(Party::parse(code).map(|p| p.code()), Some(code.to_owned()));
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_never_keeps_more_than_given(
            raw in proptest::collection::vec((".{0,60}", ".{0,20}"), 0..8)
        ) {
            if let Ok(v) = parse_involved(&raw) {
                prop_assert!(v.len() <= raw.len());
            }
        }
    }
}
