//! Table and property tests of reporting rules.

use super::*;
use proptest::prelude::*;

fn now() -> Timestamp {
    "2026-11-22T15:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn valid_draft() -> ReportDraft {
    ReportDraft {
        kind: "near_miss".into(),
        category: "medication".into(),
        service_id: "0190b0d8-0000-7000-8000-000000000001".into(),
        details: [("error_type".to_owned(), vec!["wrong_person".to_owned()])]
            .into_iter()
            .collect(),
        occurred_date: "2026-11-22".into(),
        occurred_time: "14:30".into(),
        description: "Wrong tablets put out for Mrs B, spotted before given".into(),
        ..ReportDraft::default()
    }
}

#[test]
fn a_valid_near_miss_passes_and_reads_time_in_london() {
    let inc = valid_draft().validate(now()).map_err(|e| e.to_string());
    let inc = inc.as_ref().map(|i| (i.kind, i.occurred_at.to_string()));
    assert_eq!(
        inc,
        Ok((EventKind::NearMiss, "2026-11-22T14:30:00Z".to_owned()))
    );
    // In summer, London is an hour ahead of UTC.
    let mut d = valid_draft();
    d.occurred_date = "2026-07-01".into();
    let t = d.validate(now()).map(|i| i.occurred_at.to_string());
    assert_eq!(t, Ok("2026-07-01T13:30:00Z".to_owned()));
}

#[test]
fn each_missing_field_is_named() {
    type Breaker = fn(&mut ReportDraft);
    let cases: [(&str, Breaker); 8] = [
        ("kind", |d| d.kind = "accident".into()),
        ("category", |d| d.category.clear()),
        ("service_id", |d| d.service_id = "x".into()),
        ("description", |d| d.description = "   ".into()),
        ("occurred_date", |d| d.occurred_date = "22/13/2026".into()),
        ("occurred_time", |d| d.occurred_time = "25:00".into()),
        ("occurred_date", |d| d.occurred_date = "2027-01-01".into()),
        ("occurred_date", |d| d.occurred_date = "2019-11-22".into()),
    ];
    for (field, break_it) in cases {
        let mut d = valid_draft();
        break_it(&mut d);
        let errs = d.validate(now()).err().unwrap_or_default();
        assert!(
            errs.for_field(field).is_some(),
            "expected an error on {field}, got {errs:?}"
        );
    }
}

#[test]
fn an_incident_needs_immediate_actions_but_a_near_miss_does_not() {
    let mut d = valid_draft();
    assert!(d.validate(now()).is_ok());
    d.kind = "incident".into();
    let errs = d.validate(now()).err().unwrap_or_default();
    assert!(errs.for_field("immediate_actions").is_some());
}

#[test]
fn references_format_and_parse() {
    assert_eq!(IncidentReference(123).to_string(), "INC-000123");
    assert_eq!(IncidentReference(1_234_567).to_string(), "INC-1234567");
    for s in ["INC-000123", "inc-123", "123", " INC-123 "] {
        assert_eq!(
            IncidentReference::parse(s),
            Some(IncidentReference(123)),
            "{s}"
        );
    }
    for s in [
        "",
        "INC-",
        "INC-0",
        "INC-12a",
        "ABC-123",
        "-5",
        "1234567890123",
    ] {
        assert_eq!(IncidentReference::parse(s), None, "{s}");
    }
}

#[test]
fn the_fingerprint_changes_with_content_but_not_with_order_of_people() {
    let mut a = valid_draft();
    a.affected_person_ids = vec!["b".into(), "a".into()];
    let mut b = a.clone();
    b.affected_person_ids = vec!["a".into(), "b".into()];
    assert_eq!(a.fingerprint(), b.fingerprint());
    b.description.push('!');
    assert_ne!(a.fingerprint(), b.fingerprint());
    // Moving text between fields is a different report.
    let mut c = valid_draft();
    c.description = "ab".into();
    c.immediate_actions = "c".into();
    let mut d = valid_draft();
    d.description = "a".into();
    d.immediate_actions = "bc".into();
    assert_ne!(c.fingerprint(), d.fingerprint());
}

#[test]
fn idempotency_keys_are_short_visible_text() {
    assert!(check_idempotency_key("0190b0d8-0000-7000-8000-000000000001").is_ok());
    for bad in ["", " ", "has space", "tab\t", &"k".repeat(201), "caf\u{e9}"] {
        assert!(check_idempotency_key(bad).is_err(), "{bad:?}");
    }
}

proptest! {
    #[test]
    fn any_reference_round_trips(n in 1i64..1_000_000_000_000) {
        prop_assert_eq!(IncidentReference::parse(&IncidentReference(n).to_string()), Some(IncidentReference(n)));
    }

    #[test]
    fn validation_never_panics_on_arbitrary_text(kind in ".*", date in ".*", time in ".*", desc in ".*") {
        let d = ReportDraft { kind, occurred_date: date, occurred_time: time, description: desc, ..valid_draft() };
        let _ = d.validate(now());
    }
}
