//! The short sections of the remaining categories: equipment, environment,
//! infection, choking, missing person, self-harm and death. Only two answers
//! are required (whether a missing person has been found, and whether a death
//! was expected, which may be "not known"); the rest a reviewer completes.

use super::Details;
use super::questions::{Input, Question};
use super::reader::Reader;
use super::values::*;
use crate::incident::Category;

fn q(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    input: Input,
    required: bool,
    options: Vec<(&'static str, &'static str)>,
) -> Question {
    Question {
        name,
        label,
        hint,
        input,
        required,
        options,
    }
}

macro_rules! opts {
    ($t:ty) => {
        <$t>::ALL
            .iter()
            .map(|v| (v.code(), v.label()))
            .collect::<Vec<_>>()
    };
}

/// The questions of these categories, in order (empty for any other).
pub(super) fn questions(category: Category) -> Vec<Question> {
    use Input::*;
    match category {
        Category::Equipment => vec![
            q(
                "equipment_kind",
                "What equipment? (optional)",
                "",
                Select,
                false,
                opts!(EquipmentKind),
            ),
            q(
                "problem",
                "What was wrong with it? (optional)",
                "",
                Select,
                false,
                opts!(EquipmentProblem),
            ),
            q(
                "taken_out_of_use",
                "Has it been taken out of use? (optional)",
                "Label it and keep it, so it can be checked.",
                Radios,
                false,
                opts!(YesNo),
            ),
            q(
                "asset",
                "Asset or serial number (optional)",
                "Usually on a label on the equipment.",
                Text,
                false,
                vec![],
            ),
        ],
        Category::Environment => vec![q(
            "hazard",
            "What was the hazard? (optional)",
            "",
            Select,
            false,
            opts!(Hazard),
        )],
        Category::Infection => vec![
            q(
                "infection_kind",
                "What sort of infection? (optional)",
                "",
                Select,
                false,
                opts!(InfectionKind),
            ),
            q(
                "people_affected",
                "How many people have symptoms? (optional)",
                "Count people using the service and staff.",
                Number,
                false,
                vec![],
            ),
            q(
                "outbreak_suspected",
                "Could this be an outbreak? (optional)",
                "Two or more people with similar symptoms close together.",
                Radios,
                false,
                opts!(YesNo),
            ),
        ],
        Category::Choking => vec![
            q(
                "choked_on",
                "What did they choke on? (optional)",
                "",
                Radios,
                false,
                opts!(ChokedOn),
            ),
            q(
                "first_aid",
                "What first aid was given? (optional)",
                "",
                Checkboxes,
                false,
                opts!(ChokingAid),
            ),
            q(
                "eating_plan",
                "Do they have an eating and drinking plan? (optional)",
                "For example from a speech and language therapist.",
                Radios,
                false,
                opts!(YesNo),
            ),
        ],
        Category::MissingPerson => vec![
            q(
                "found",
                "Have they been found?",
                "If not, call the police now.",
                Radios,
                true,
                opts!(Found),
            ),
            q(
                "last_seen",
                "Time last seen (optional)",
                "For example 14:30.",
                Text,
                false,
                vec![],
            ),
            q(
                "found_where",
                "Where were they found? (optional)",
                "",
                Text,
                false,
                vec![],
            ),
        ],
        Category::SelfHarm => vec![q(
            "needed_treatment",
            "Did they need medical treatment? (optional)",
            "",
            Radios,
            false,
            opts!(YesNo),
        )],
        Category::Death => vec![
            q(
                "expected",
                "Was the death expected?",
                "If you are not sure, choose Not known.",
                Radios,
                true,
                opts!(DeathExpected),
            ),
            q(
                "place",
                "Where did they die? (optional)",
                "",
                Radios,
                false,
                opts!(DeathPlace),
            ),
        ],
        _ => Vec::new(),
    }
}

/// Checks the answers of these categories.
pub(super) fn validate(category: Category, r: &mut Reader<'_>) -> Details {
    match category {
        Category::Equipment => Details::Equipment {
            equipment_kind: r.optional(
                "equipment_kind",
                EquipmentKind::parse,
                "Choose the equipment from the list",
            ),
            problem: r.optional(
                "problem",
                EquipmentProblem::parse,
                "Choose what was wrong from the list",
            ),
            asset: r.optional_text("asset", 100),
            taken_out_of_use: r.yes_no("taken_out_of_use"),
        },
        Category::Environment => Details::Environment {
            hazard: r.optional("hazard", Hazard::parse, "Choose the hazard from the list"),
        },
        Category::Infection => Details::Infection {
            infection_kind: r.optional(
                "infection_kind",
                InfectionKind::parse,
                "Choose the sort of infection from the list",
            ),
            people_affected: r.optional(
                "people_affected",
                |s| s.parse::<u32>().ok().filter(|n| (1..=1_000).contains(n)),
                "Enter how many people as a whole number from 1 to 1000",
            ),
            outbreak_suspected: r.yes_no("outbreak_suspected"),
        },
        Category::Choking => {
            let mut first_aid = Vec::new();
            for code in r.raw.get("first_aid").cloned().unwrap_or_default() {
                match ChokingAid::parse(code.trim()) {
                    Some(a) if !first_aid.contains(&a) => first_aid.push(a),
                    Some(_) => {}
                    None => r.errors.add("first_aid", "Choose first aid from the list"),
                }
            }
            Details::Choking {
                choked_on: r.optional("choked_on", ChokedOn::parse, "Choose from the list"),
                first_aid,
                eating_plan: r.yes_no("eating_plan"),
            }
        }
        Category::MissingPerson => {
            let found = r.required("found", Found::parse, "Say whether they have been found");
            let last_seen = r.optional(
                "last_seen",
                super::hh_mm,
                "Enter the time they were last seen, like 14:30",
            );
            let found_where = r.optional_text("found_where", 200);
            match found {
                Some(found) => Details::MissingPerson {
                    found,
                    last_seen,
                    found_where,
                },
                None => Details::None,
            }
        }
        Category::SelfHarm => Details::SelfHarm {
            needed_treatment: r.yes_no("needed_treatment"),
        },
        Category::Death => {
            let expected = r.required(
                "expected",
                DeathExpected::parse,
                "Say whether the death was expected (choose Not known if you do not know)",
            );
            let place = r.optional("place", DeathPlace::parse, "Choose where from the list");
            match expected {
                Some(expected) => Details::Death { expected, place },
                None => Details::None,
            }
        }
        _ => Details::None,
    }
}

/// These categories' answers as (question, answer) lines.
pub(super) fn summary(d: &Details) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut opt = |label: &'static str, v: Option<&'static str>| {
        if let Some(v) = v {
            out.push((label, v.to_owned()));
        }
    };
    match d {
        Details::Equipment {
            equipment_kind,
            problem,
            asset,
            taken_out_of_use,
        } => {
            opt("Equipment", equipment_kind.map(|k| k.label()));
            opt("What was wrong", problem.map(|p| p.label()));
            opt("Taken out of use", Some(taken_out_of_use.label()));
            if let Some(a) = asset {
                out.push(("Asset or serial number", a.clone()));
            }
        }
        Details::Environment { hazard } => opt("Hazard", hazard.map(|h| h.label())),
        Details::Infection {
            infection_kind,
            people_affected,
            outbreak_suspected,
        } => {
            opt("Sort of infection", infection_kind.map(|k| k.label()));
            opt("Outbreak suspected", Some(outbreak_suspected.label()));
            if let Some(n) = people_affected {
                out.push(("People with symptoms", n.to_string()));
            }
        }
        Details::Choking {
            choked_on,
            first_aid,
            eating_plan,
        } => {
            opt("Choked on", choked_on.map(|c| c.label()));
            opt("Eating and drinking plan", Some(eating_plan.label()));
            if !first_aid.is_empty() {
                let aid: Vec<&str> = first_aid.iter().map(|a| a.label()).collect();
                out.push(("First aid", aid.join(", ")));
            }
        }
        Details::MissingPerson {
            found,
            last_seen,
            found_where,
        } => {
            opt("Found", Some(found.label()));
            if let Some(t) = last_seen {
                out.push(("Last seen", t.clone()));
            }
            if let Some(w) = found_where {
                out.push(("Found where", w.clone()));
            }
        }
        Details::SelfHarm { needed_treatment } => {
            opt("Needed medical treatment", Some(needed_treatment.label()))
        }
        Details::Death { expected, place } => {
            opt("Expected", Some(expected.label()));
            opt("Where", place.map(|p| p.label()));
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::details::{RawDetails, validate_details};
    use jiff::Timestamp;

    fn raw(pairs: &[(&str, &str)]) -> RawDetails {
        let mut m = RawDetails::new();
        for (k, v) in pairs {
            m.entry((*k).to_owned()).or_default().push((*v).to_owned());
        }
        m
    }

    fn check(
        c: Category,
        pairs: &[(&str, &str)],
    ) -> Result<Details, crate::validation::FieldErrors> {
        validate_details(c, &raw(pairs), Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn only_found_and_expected_are_required() {
        for c in [
            Category::Equipment,
            Category::Environment,
            Category::Infection,
            Category::Choking,
            Category::SelfHarm,
        ] {
            assert!(check(c, &[]).is_ok(), "{c:?} needs nothing");
        }
        let e = check(Category::MissingPerson, &[])
            .err()
            .unwrap_or_default();
        assert!(e.for_field("found").is_some());
        let e = check(Category::Death, &[]).err().unwrap_or_default();
        assert!(e.for_field("expected").is_some());
        assert!(check(Category::Death, &[("expected", "not_known")]).is_ok());
    }

    #[test]
    fn each_wrong_answer_is_named() {
        for (c, pairs, field) in [
            (
                Category::Equipment,
                &[("equipment_kind", "toaster")][..],
                "equipment_kind",
            ),
            (
                Category::Equipment,
                &[("problem", "haunted")][..],
                "problem",
            ),
            (Category::Environment, &[("hazard", "lava")][..], "hazard"),
            (
                Category::Infection,
                &[("people_affected", "0")][..],
                "people_affected",
            ),
            (
                Category::Infection,
                &[("people_affected", "many")][..],
                "people_affected",
            ),
            (
                Category::Infection,
                &[("outbreak_suspected", "perhaps")][..],
                "outbreak_suspected",
            ),
            (
                Category::Choking,
                &[("first_aid", "magic")][..],
                "first_aid",
            ),
            (
                Category::MissingPerson,
                &[("found", "yes"), ("last_seen", "25:00")][..],
                "last_seen",
            ),
            (Category::Death, &[("expected", "yes")][..], "expected"),
            (
                Category::Death,
                &[("expected", "expected"), ("place", "moon")][..],
                "place",
            ),
        ] {
            let e = check(c, pairs).err().unwrap_or_default();
            assert!(e.for_field(field).is_some(), "{c:?} {pairs:?}: {e:?}");
        }
    }

    #[test]
    fn answers_are_kept_and_read_back_in_words() {
        let d = check(
            Category::Choking,
            &[
                ("choked_on", "food"),
                ("first_aid", "back_blows"),
                ("first_aid", "abdominal_thrusts"),
                ("first_aid", "back_blows"),
            ],
        )
        .unwrap_or(Details::None);
        let round = Details::from_json(&d.to_json());
        assert_eq!(round, d);
        let lines = round.summary();
        assert!(lines.contains(&("First aid", "Back blows, Abdominal thrusts".to_owned())));
        assert!(lines.contains(&("Choked on", "Food".to_owned())));
        let d = check(
            Category::MissingPerson,
            &[("found", "no"), ("last_seen", "1430")],
        )
        .unwrap_or(Details::None);
        assert!(d.summary().contains(&("Last seen", "14:30".to_owned())));
        assert!(
            d.summary()
                .contains(&("Found", "No, still missing".to_owned()))
        );
    }

    #[test]
    fn every_question_of_these_categories_is_read_by_the_rules() {
        // A value that is not a valid answer for any question: each question
        // given it either has its error named, or is free text kept as typed.
        for c in Category::ALL {
            for question in questions(*c) {
                let e = check(*c, &[(question.name, "\u{1}not-a-code")]).err();
                let named = e
                    .as_ref()
                    .is_some_and(|e| e.for_field(question.name).is_some());
                assert!(
                    named || question.input == Input::Text,
                    "{c:?}: {} is not checked",
                    question.name
                );
            }
        }
    }
}
