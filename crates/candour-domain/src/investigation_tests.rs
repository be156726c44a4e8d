use super::*;
use proptest::prelude::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

#[test]
fn shipped_factors_have_unique_codes_in_their_framework() {
    let all = shipped_factors();
    assert_eq!(all.len(), YCFF.len() + SEIPS.len());
    let mut codes: Vec<&str> = all.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    for f in &all {
        assert_eq!(framework_of(&f.code), Some(f.framework), "{}", f.code);
    }
    assert_eq!(
        framework_of("local.agency_induction"),
        Some(Framework::Local)
    );
    assert_eq!(framework_of("nonsense"), None);
}

#[test]
fn local_codes_are_made_from_the_label() {
    let cases = [
        ("Agency staff induction", "local.agency_staff_induction"),
        ("  Night-time  handover!", "local.night_time_handover"),
        ("Out-of-hours GP cover", "local.out_of_hours_gp_cover"),
    ];
    for (label, code) in cases {
        assert_eq!(local_code(label), code, "{label}");
    }
}

#[test]
fn references_read_back() {
    assert_eq!(investigation_reference(12), "INV-000012");
    for (s, n) in [
        ("INV-000012", Some(12)),
        ("inv-12", Some(12)),
        ("12", Some(12)),
        ("INV-0", None),
        ("ACT-1", None),
        ("", None),
    ] {
        assert_eq!(parse_investigation_reference(s), n, "{s}");
    }
}

#[test]
fn an_opening_needs_a_lead_and_terms_of_reference() {
    let e = OpeningDraft::default().validate().err().unwrap_or_default();
    assert!(e.for_field("lead").is_some() && e.for_field("terms_of_reference").is_some());
    let ok = OpeningDraft {
        lead: uuid::Uuid::nil().to_string(),
        terms_of_reference: "Why the sensor mat did not alarm".into(),
    };
    assert!(ok.validate().is_ok());
}

#[test]
fn meetings_name_each_problem() {
    let (happened, now) = (at("2026-11-20T07:00:00Z"), at("2026-11-30T12:00:00Z"));
    let good = MeetingDraft {
        held_on: "2026-11-27".into(),
        attendees: vec![
            ("Priya Shah".into(), "Registered manager".into()),
            ("".into(), "".into()),
            ("Tom Reid".into(), "Physiotherapist".into()),
        ],
        discussion: "Went through the night's observations".into(),
        decisions: "Ask the GP for a medicines review".into(),
    };
    let m = good.validate(happened, now);
    assert_eq!(
        m.map(|m| m.attendees.len()).ok(),
        Some(2),
        "blank lines are ignored"
    );
    type Breaker = fn(&mut MeetingDraft);
    let cases: [(&str, &str, Breaker); 7] = [
        ("held_on", "Enter the date", |d| d.held_on = "27th".into()),
        ("held_on", "cannot be in the future", |d| {
            d.held_on = "2026-12-01".into()
        }),
        ("held_on", "before the incident", |d| {
            d.held_on = "2026-11-19".into()
        }),
        ("attendees", "Say what Tom Reid does", |d| {
            d.attendees[2].1.clear()
        }),
        ("attendees", "Give the name of the Physiotherapist", |d| {
            d.attendees[2].0.clear()
        }),
        ("attendees", "Add who attended", |d| d.attendees.clear()),
        ("decisions", "Write what was decided", |d| {
            d.decisions.clear()
        }),
    ];
    for (field, words, breaker) in cases {
        let mut d = good.clone();
        breaker(&mut d);
        let e = d.validate(happened, now).err().unwrap_or_default();
        assert!(
            e.for_field(field).is_some_and(|m| m.contains(words)),
            "{field}: {e:?}"
        );
    }
}

#[test]
fn timeline_entries_may_be_background_but_not_future() {
    let now = at("2026-11-30T12:00:00Z");
    let draft = |date: &str, time: &str| EventDraft {
        date: date.into(),
        time: time.into(),
        what: "Night carer checked the sensor mat".into(),
        source: "Night log".into(),
    };
    assert!(
        draft("2026-10-01", "").validate(now).is_ok(),
        "background before the incident"
    );
    assert!(draft("2026-11-30", "11:59").validate(now).is_ok());
    let e = draft("2026-11-30", "12:30")
        .validate(now)
        .err()
        .unwrap_or_default();
    assert!(e.for_field("event_date").is_some(), "later today");
    let e = draft("2026-11-30", "25:00")
        .validate(now)
        .err()
        .unwrap_or_default();
    assert!(e.for_field("event_time").is_some());
    let e = draft("", "").validate(now).err().unwrap_or_default();
    assert!(e.for_field("event_date").is_some());
}

#[test]
fn a_factor_must_be_one_the_organisation_uses() {
    let available = shipped_factors();
    let d = FactorDraft {
        factor: "ycff.workload".into(),
        note: "Two carers for 18 residents at night".into(),
        evidence: "Rota for 19 Nov".into(),
    };
    assert!(d.validate(&available).is_ok());
    let mut retired = available.clone();
    retired.retain(|f| f.code != "ycff.workload");
    assert!(
        d.validate(&retired)
            .err()
            .unwrap_or_default()
            .for_field("factor")
            .is_some()
    );
    let blank = FactorDraft {
        factor: "seips.tools".into(),
        ..FactorDraft::default()
    };
    assert!(
        blank
            .validate(&available)
            .err()
            .unwrap_or_default()
            .for_field("factor_note")
            .is_some()
    );
}

#[test]
fn completion_lists_each_gap() {
    let all = CompletionFacts {
        meetings: 1,
        events: 3,
        factors: 2,
        has_findings: true,
        has_involvement: true,
        actions: 1,
    };
    assert!(completion_gaps(all).is_empty());
    assert_eq!(completion_gaps(CompletionFacts::default()).len(), 6);
    let no_family = CompletionFacts {
        has_involvement: false,
        ..all
    };
    assert_eq!(completion_gaps(no_family).len(), 1);
}

proptest! {
    #[test]
    fn local_codes_are_safe_and_stable(label in ".{0,60}") {
        let code = local_code(&label);
        prop_assert!(code.starts_with("local."));
        prop_assert!(code["local.".len()..].chars().all(|c| c == '_' || c.is_alphanumeric()));
        prop_assert_eq!(local_code(&label), code.clone());
        prop_assert_eq!(framework_of(&code), Some(Framework::Local));
    }
}
