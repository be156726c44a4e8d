//! Table tests of each category's rules.

use super::*;
use crate::details::NG232_REFER;

type Case<'a> = (Category, &'a [(&'a str, &'a str)], &'a str);

fn now() -> Timestamp {
    "2026-11-23T10:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn raw(pairs: &[(&str, &str)]) -> RawDetails {
    let mut m = RawDetails::new();
    for (k, v) in pairs {
        m.entry((*k).to_owned()).or_default().push((*v).to_owned());
    }
    m
}

#[test]
fn times_of_day_are_read_as_people_type_them() {
    for (typed, want) in [
        ("8:00", Some("08:00")),
        ("08:00", Some("08:00")),
        ("0815", Some("08:15")),
        ("23.59", Some("23:59")),
        ("24:00", None),
        ("8", None),
        ("", None),
        ("12:60", None),
    ] {
        assert_eq!(hh_mm(typed).as_deref(), want, "{typed:?}");
    }
}

#[test]
fn a_witnessed_fall_without_head_strike_needs_only_skin_checks() {
    let d = validate_details(
        Category::Fall,
        &raw(&[
            ("seen", "witnessed"),
            ("head_struck", "no"),
            ("anticoagulant", "no"),
        ]),
        now(),
    );
    let d = d.map_err(|e| e.to_string());
    assert!(matches!(d, Ok(Details::Fall { .. })));
    let d = d.unwrap_or(Details::None);
    assert!(!d.needs_head_injury_checks());
    assert!(d.head_injury_prompts().is_empty());
    assert_eq!(d.post_fall_schedule(now()).len(), 2);
}

#[test]
fn an_unwitnessed_fall_or_a_head_strike_brings_the_nice_prompts_and_observations() {
    for pairs in [
        [
            ("seen", "found_on_floor"),
            ("head_struck", "no"),
            ("anticoagulant", "no"),
        ],
        [
            ("seen", "witnessed"),
            ("head_struck", "yes"),
            ("anticoagulant", "yes"),
        ],
        [
            ("seen", "witnessed"),
            ("head_struck", "not_known"),
            ("anticoagulant", "no"),
        ],
    ] {
        let d = validate_details(Category::Fall, &raw(&pairs), now()).unwrap_or(Details::None);
        assert!(d.needs_head_injury_checks(), "{pairs:?}");
        assert!(d.head_injury_prompts().len() >= NG232_REFER.len());
        let schedule = d.post_fall_schedule(now());
        // 4 half-hourly, 4 hourly, 9 two-hourly up to 24 h, then 2 skin checks.
        assert_eq!(schedule.len(), 4 + 4 + 9 + 2, "{schedule:?}");
        assert!(schedule.windows(2).all(|w| w[0].0 <= w[1].0));
    }
    let d = validate_details(
        Category::Fall,
        &raw(&[
            ("seen", "witnessed"),
            ("head_struck", "yes"),
            ("anticoagulant", "yes"),
        ]),
        now(),
    )
    .unwrap_or(Details::None);
    assert!(d.head_injury_prompts()[0].contains("anticoagulant"));
}

#[test]
fn each_category_names_its_missing_or_wrong_answers() {
    let cases: [Case<'_>; 10] = [
        (
            Category::Fall,
            &[("head_struck", "no"), ("anticoagulant", "no")],
            "seen",
        ),
        (
            Category::Fall,
            &[
                ("seen", "witnessed"),
                ("head_struck", "maybe"),
                ("anticoagulant", "no"),
            ],
            "head_struck",
        ),
        (
            Category::Fall,
            &[
                ("seen", "witnessed"),
                ("head_struck", "no"),
                ("anticoagulant", "no"),
                ("equipment", "trampoline"),
            ],
            "equipment",
        ),
        (
            Category::Medication,
            &[("reached_person", "no")],
            "error_type",
        ),
        (
            Category::Medication,
            &[("error_type", "omission"), ("reached_person", "perhaps")],
            "reached_person",
        ),
        (
            Category::Medication,
            &[
                ("error_type", "omission"),
                ("reached_person", "no"),
                ("time_due", "25:00"),
            ],
            "time_due",
        ),
        (
            Category::Behaviour,
            &[("duration_minutes", "ten")],
            "duration_minutes",
        ),
        (
            Category::PressureUlcer,
            &[("ulcer_category", "5")],
            "ulcer_category",
        ),
        (
            Category::Safeguarding,
            &[("abuse_type", "bullying")],
            "abuse_type",
        ),
        (
            Category::DataBreach,
            &[("aware_date", "2027-01-01"), ("aware_time", "09:00")],
            "aware_date",
        ),
    ];
    for (category, pairs, field) in cases {
        let errs = validate_details(category, &raw(pairs), now())
            .err()
            .unwrap_or_default();
        assert!(
            errs.for_field(field).is_some(),
            "{category:?} {field}: {errs:?}"
        );
    }
}

#[test]
fn complete_answers_pass_for_every_category_with_questions() {
    let cases: [(Category, &[(&str, &str)]); 5] = [
        (
            Category::Medication,
            &[
                ("error_type", "wrong_time"),
                ("reached_person", "yes"),
                ("time_due", "8:00"),
                ("advice", "pharmacist"),
            ],
        ),
        (
            Category::Behaviour,
            &[
                ("behaviour", "Shouted and threw a cup"),
                ("duration_minutes", "15"),
                ("restriction", "none"),
            ],
        ),
        (
            Category::PressureUlcer,
            &[
                ("ulcer_category", "3"),
                ("origin", "acquired_in_service"),
                ("body_site", "Sacrum"),
            ],
        ),
        (
            Category::Safeguarding,
            &[("abuse_type", "financial"), ("alleged_by", "family")],
        ),
        (
            Category::DataBreach,
            &[("aware_date", "2026-11-23"), ("aware_time", "09:15")],
        ),
    ];
    for (category, pairs) in cases {
        let d = validate_details(category, &raw(pairs), now());
        assert!(d.is_ok(), "{category:?}: {d:?}");
    }
    // A category without questions accepts anything and stores nothing.
    assert_eq!(
        validate_details(Category::Other, &raw(&[("x", "y")]), now()).ok(),
        Some(Details::None)
    );
    let json = validate_details(
        Category::Medication,
        &raw(&[
            ("error_type", "wrong_time"),
            ("reached_person", "yes"),
            ("time_due", "8:00"),
        ]),
        now(),
    )
    .map(|d| d.to_json())
    .unwrap_or_default();
    assert!(
        json.contains("\"time_due\":\"08:00\"") && json.contains("\"category\":\"medication\""),
        "{json}"
    );
}
