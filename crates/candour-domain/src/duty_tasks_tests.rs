#![allow(clippy::unwrap_used)]

use super::*;
use crate::duties::{AbuseRole, HcpOpinion, HcpOutcome, PersonType, RiddorKind, Verdict};
use proptest::prelude::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

const HAPPENED: &str = "2026-11-23T09:00:00Z";
const NOW: &str = "2026-11-25T12:00:00Z";

fn ctx<'a>(duty: Duty, steps: &'a [Step]) -> StepContext<'a> {
    StepContext {
        duty,
        occurred_at: at(HAPPENED),
        now: at(NOW),
        recorder: "Priya Shah",
        steps,
    }
}

fn draft(kind: &str) -> StepDraft {
    StepDraft {
        kind: kind.into(),
        date: "2026-11-24".into(),
        time: "10:15".into(),
        method: "online".into(),
        reference: "ENQ1-23456789".into(),
        whom: "Her daughter, who holds lasting power of attorney".into(),
        text: "She fell in the bathroom and broke her hip.".into(),
        apology: "We are very sorry this happened.".into(),
        enquiries: "We are reviewing her falls risk assessment.".into(),
        authority: "Leeds City Council".into(),
        ..StepDraft::default()
    }
}

fn fields(r: Result<Step, FieldErrors>) -> Vec<String> {
    match r {
        Ok(_) => Vec::new(),
        Err(e) => e.0.iter().map(|f| f.field.clone()).collect(),
    }
}

#[test]
fn a_submission_is_recorded_with_its_reference_and_the_recorder_by_default() {
    let s = check_step(
        &draft("submitted"),
        &ctx(Duty::CqcSeriousInjuryNotification, &[]),
    );
    let Ok(Step::Submitted {
        at: when,
        by,
        method,
        reference,
    }) = s
    else {
        panic!("refused: {s:?}");
    };
    assert_eq!(when, at("2026-11-24T10:15:00Z"));
    assert_eq!(by, "Priya Shah");
    assert_eq!(method, Method::Online);
    assert_eq!(reference, "ENQ1-23456789");
}

#[test]
fn each_gap_in_a_step_is_named_by_its_field() {
    type Breaker = fn(&mut StepDraft);
    let cases: [(Duty, &str, &str, Breaker); 12] = [
        (Duty::CqcAbuseNotification, "submitted", "reference", |d| {
            d.reference.clear()
        }),
        (Duty::CqcAbuseNotification, "submitted", "method", |d| {
            d.method = "pigeon".into()
        }),
        (Duty::CqcAbuseNotification, "submitted", "date", |d| {
            d.date = "2026-11-30".into()
        }),
        (Duty::CqcAbuseNotification, "submitted", "date", |d| {
            d.date = "2026-11-22".into()
        }),
        (Duty::CqcAbuseNotification, "submitted", "date", |d| {
            d.time = "25:00".into()
        }),
        (Duty::DutyOfCandour, "in_person", "apology", |d| {
            d.apology = "  ".into()
        }),
        (Duty::DutyOfCandour, "in_person", "whom", |d| d.whom.clear()),
        (Duty::DutyOfCandour, "in_person", "enquiries", |d| {
            d.enquiries.clear()
        }),
        (Duty::DutyOfCandour, "in_person", "text", |d| d.text.clear()),
        (Duty::SafeguardingReferral, "referred", "authority", |d| {
            d.authority.clear()
        }),
        (Duty::IcoBreachReport, "not_reported", "text", |d| {
            d.text.clear()
        }),
        (Duty::RiddorReport, "in_person", "kind", |_| {}),
    ];
    for (duty, kind, field, breaker) in cases {
        let mut d = draft(kind);
        assert!(
            fields(check_step(&d, &ctx(duty, &[]))).is_empty() || field == "kind",
            "{kind} for {duty:?} should pass before breaking"
        );
        breaker(&mut d);
        let got = fields(check_step(&d, &ctx(duty, &[])));
        assert!(got.contains(&field.to_owned()), "{kind}/{field}: {got:?}");
    }
}

#[test]
fn steps_follow_their_order() {
    let submitted = check_step(&draft("submitted"), &ctx(Duty::RiddorReport, &[])).unwrap();
    // A follow-up needs the submission; a second submission is refused.
    assert_eq!(
        fields(check_step(
            &draft("follow_up"),
            &ctx(Duty::RiddorReport, &[])
        )),
        ["kind"]
    );
    let after = [submitted];
    assert!(matches!(
        check_step(&draft("follow_up"), &ctx(Duty::RiddorReport, &after)),
        Ok(Step::FollowUp { reference, .. }) if reference == "ENQ1-23456789"
    ));
    assert_eq!(
        fields(check_step(
            &draft("submitted"),
            &ctx(Duty::RiddorReport, &after)
        )),
        ["kind"]
    );
    // The candour letter follows telling them, or trying to.
    assert_eq!(
        fields(check_step(
            &draft("written"),
            &ctx(Duty::DutyOfCandour, &[])
        )),
        ["kind"]
    );
    let tried = check_step(
        &StepDraft {
            method: "phone".into(),
            ..draft("failed_contact")
        },
        &ctx(Duty::DutyOfCandour, &[]),
    )
    .unwrap();
    assert!(check_step(&draft("written"), &ctx(Duty::DutyOfCandour, &[tried])).is_ok());
    // An enquiry update follows the referral, and must say something.
    assert_eq!(
        fields(check_step(
            &draft("enquiry_update"),
            &ctx(Duty::SafeguardingReferral, &[])
        )),
        ["kind"]
    );
    let referred = check_step(&draft("referred"), &ctx(Duty::SafeguardingReferral, &[])).unwrap();
    let empty = StepDraft {
        text: String::new(),
        ..draft("enquiry_update")
    };
    assert_eq!(
        fields(check_step(
            &empty,
            &ctx(Duty::SafeguardingReferral, std::slice::from_ref(&referred))
        )),
        ["text"]
    );
    let s42 = StepDraft {
        s42_opened: "yes".into(),
        ..empty
    };
    assert!(matches!(
        check_step(&s42, &ctx(Duty::SafeguardingReferral, &[referred])),
        Ok(Step::EnquiryUpdate {
            s42_opened: Some(true),
            asked_to_cause: None,
            ..
        })
    ));
}

#[test]
fn a_duty_is_done_when_its_required_steps_are() {
    let s = |d: Duty, k: &str| check_step(&draft(k), &ctx(d, &[])).unwrap();
    assert_eq!(progress(Duty::CqcDeathNotification, &[]).done_at, None);
    assert_eq!(
        progress(
            Duty::CqcDeathNotification,
            &[s(Duty::CqcDeathNotification, "submitted")]
        )
        .done_at,
        Some(at("2026-11-24T10:15:00Z"))
    );
    // Candour: in person and the letter; sharing results is not needed to be done.
    let told = s(Duty::DutyOfCandour, "in_person");
    assert_eq!(
        progress(Duty::DutyOfCandour, std::slice::from_ref(&told)).done_at,
        None
    );
    let letter = check_step(
        &StepDraft {
            date: "2026-11-25".into(),
            ..draft("written")
        },
        &ctx(Duty::DutyOfCandour, std::slice::from_ref(&told)),
    )
    .unwrap();
    let p = progress(Duty::DutyOfCandour, &[told, letter]);
    assert_eq!(p.done_at, Some(at("2026-11-25T10:15:00Z")));
    assert_eq!(p.items.len(), 3);
    assert!(p.items[2].optional && p.items[2].done_at.is_none());
    // ICO: reported, or a documented decision not to.
    assert!(
        progress(
            Duty::IcoBreachReport,
            &[s(Duty::IcoBreachReport, "not_reported")]
        )
        .done_at
        .is_some()
    );
    assert!(
        progress(
            Duty::SafeguardingReferral,
            &[s(Duty::SafeguardingReferral, "referred")]
        )
        .done_at
        .is_some()
    );
}

#[test]
fn age_bands_follow_cqcs_form() {
    let d = |s: &str| s.parse::<Date>().unwrap();
    let cases = [
        ("1940-11-24", "2026-11-23", Some("85 and over")),
        ("1941-11-24", "2026-11-23", Some("75–84")), // 84 until tomorrow
        ("1941-11-23", "2026-11-23", Some("85 and over")),
        ("2008-11-24", "2026-11-23", Some("16–17")),
        ("2008-11-23", "2026-11-23", Some("18–24")),
        ("2026-06-01", "2026-11-23", Some("Under 1")),
        ("2027-01-01", "2026-11-23", None),
    ];
    for (born, on, band) in cases {
        assert_eq!(age_band(d(born), d(on)), band, "{born} on {on}");
    }
}

fn source<'a>(a: &'a Assessment) -> DraftSource<'a> {
    DraftSource {
        reference: "AH-2026-00042",
        service: "Alder House",
        area: Some("First floor"),
        occurred_at: at(HAPPENED),
        person_code: Some("AH-0012"),
        date_of_birth: "1939-02-03".parse().ok(),
        started: "2024-05-01".parse().ok(),
        description: "Mrs Jones fell in the bathroom.",
        immediate_actions: "Called 999; stayed with her.",
        assessment: a,
    }
}

fn value<'a>(sections: &'a [DraftSection], label: &str) -> Option<&'a str> {
    sections
        .iter()
        .flat_map(|s| s.lines.iter())
        .find(|(l, _)| *l == label)
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_cqc_draft_identifies_the_person_by_code_and_age_band_and_asks_cqcs_questions() {
    let a = Assessment {
        person_type: Some(PersonType::ServiceUser),
        hcp_opinion: Some(HcpOpinion {
            name: "Dr Okafor".into(),
            role: "GP".into(),
            given_at: at("2026-11-23T15:00:00Z"),
            outcomes: vec![HcpOutcome::BodyStructureChange],
        }),
        ..Assessment::default()
    };
    let d = cqc_draft(
        Duty::CqcSeriousInjuryNotification,
        &source(&a),
        &CqcAnswers::default(),
    );
    assert_eq!(value(&d, "Identifier (not their name)"), Some("AH-0012"));
    assert_eq!(value(&d, "Age band"), Some("85 and over"));
    assert_eq!(value(&d, "Began using the service"), Some("1 May 2024"));
    assert_eq!(
        value(&d, "Circumstances"),
        Some("Mrs Jones fell in the bathroom.")
    );
    assert_eq!(
        value(&d, "To keep this person safe"),
        Some("Called 999; stayed with her.")
    );
    assert_eq!(value(&d, "Known to be at risk of this"), Some(""));
    assert!(
        value(&d, "Health care professional's opinion")
            .is_some_and(|v| v.contains("Dr Okafor (GP)") && v.contains("structure of the body"))
    );
    // The manager's words replace what the report said.
    let answers = CqcAnswers {
        circumstances: Some("AH-0012 fell in the bathroom.".into()),
        known_at_risk: Some("Yes: two falls in October.".into()),
        ..CqcAnswers::default()
    };
    let d = cqc_draft(Duty::CqcSeriousInjuryNotification, &source(&a), &answers);
    assert_eq!(
        value(&d, "Circumstances"),
        Some("AH-0012 fell in the bathroom.")
    );
    let text = draft_text(&d);
    assert!(text.contains("Known to be at risk of this: Yes: two falls in October."));
    assert!(text.contains("Risk assessment in place: [to be written]"));
    // Abuse asks for a protection plan; death does not ask about risk.
    let abuse = Assessment {
        abuse_role: Some(AbuseRole::AllegedAbuser),
        ..a.clone()
    };
    let d = cqc_draft(Duty::CqcAbuseNotification, &source(&abuse), &answers);
    assert_eq!(value(&d, "The person is"), Some("Alleged abuser"));
    assert!(value(&d, "Protection plan in place").is_some());
    let d = cqc_draft(Duty::CqcDeathNotification, &source(&a), &answers);
    assert!(value(&d, "Known to be at risk of this").is_none());
    assert!(value(&d, "CQC form").is_some_and(|f| f.contains("regulation 16")));
}

#[test]
fn a_riddor_draft_keeps_the_work_related_rationale_and_no_name() {
    let a = Assessment {
        person_type: Some(PersonType::Worker),
        days_incapacitated: Some(9),
        work_related_rationale: Some("Hoist sling was worn; the check was overdue.".into()),
        ..Assessment::default()
    };
    let decision = Decision {
        duty: Duty::RiddorReport,
        verdict: Verdict::Required,
        basis: "RIDDOR 2013 reg 4(2)",
        reason: String::new(),
        due_at: Some(at("2026-12-08T23:59:59Z")),
        missing_facts: Vec::new(),
        riddor_kind: Some(RiddorKind::OverSevenDayIncapacitation),
        source: "",
    };
    let d = riddor_draft(&source(&a), &decision);
    assert_eq!(
        value(&d, "Rationale"),
        Some("Hoist sling was worn; the check was overdue.")
    );
    assert_eq!(
        value(&d, "Kind of report"),
        Some("Over-seven-day incapacitation")
    );
    assert_eq!(value(&d, "Days unable to do normal work"), Some("9"));
    assert_eq!(value(&d, "Identifier in our records"), Some("AH-0012"));
}

#[test]
fn the_candour_letter_carries_what_was_said_in_person() {
    let told = check_step(
        &StepDraft {
            support: "A named contact: Priya Shah, 0113 496 0000.".into(),
            ..draft("in_person")
        },
        &ctx(Duty::DutyOfCandour, &[]),
    )
    .unwrap();
    let l = candour_letter("Alder House", at(HAPPENED), &[told]);
    for part in [
        "Dear Her daughter, who holds lasting power of attorney,",
        "24 Nov 2026",
        "23 Nov 2026",
        "We are very sorry this happened.",
        "We are reviewing her falls risk assessment.",
        "A named contact",
        "Priya Shah spoke with you",
    ] {
        assert!(l.contains(part), "missing {part:?} in\n{l}");
    }
    let blank = candour_letter("Alder House", at(HAPPENED), &[]);
    assert!(blank.contains("[the facts known]"));
}

#[test]
fn every_step_round_trips_through_json() {
    let s = |d: Duty, k: &str, steps: &[Step]| check_step(&draft(k), &ctx(d, steps)).unwrap();
    let sub = s(Duty::IcoBreachReport, "submitted", &[]);
    let all = vec![
        sub.clone(),
        s(Duty::IcoBreachReport, "follow_up", &[sub]),
        s(Duty::DutyOfCandour, "in_person", &[]),
        s(Duty::DutyOfCandour, "results_shared", &[]),
        s(Duty::DutyOfCandour, "correspondence", &[]),
        s(Duty::SafeguardingReferral, "referred", &[]),
        s(Duty::IcoBreachReport, "not_reported", &[]),
    ];
    for step in all {
        let json = serde_json::to_string(&step).unwrap();
        assert!(json.contains(&format!("\"kind\":\"{}\"", step.kind().code())));
        assert_eq!(serde_json::from_str::<Step>(&json).ok(), Some(step.clone()));
        assert!(!step.lines().is_empty());
    }
}

proptest! {
    /// A step is never dated before the incident or after now, and a duty
    /// is never done before its first step.
    #[test]
    fn steps_stay_between_the_incident_and_now(day in 0i64..10, minute in 0i64..1440) {
        let when = at("2026-11-20T00:00:00Z")
            .checked_add(jiff::SignedDuration::from_mins(day * 1440 + minute))
            .unwrap();
        let local = when.to_zoned(london());
        let d = StepDraft {
            date: local.date().to_string(),
            time: local.time().strftime("%H:%M").to_string(),
            ..draft("submitted")
        };
        let c = ctx(Duty::CqcPoliceNotification, &[]);
        match check_step(&d, &c) {
            Ok(s) => {
                prop_assert!(s.at() >= c.occurred_at && s.at() <= c.now);
                let p = progress(Duty::CqcPoliceNotification, std::slice::from_ref(&s));
                prop_assert_eq!(p.done_at, Some(s.at()));
            }
            Err(e) => {
                prop_assert!(when < c.occurred_at || when > c.now);
                prop_assert_eq!(e.0[0].field.as_str(), "date");
            }
        }
    }
}

#[test]
fn a_duty_reminds_halfway_then_escalates_once_overdue() {
    use crate::escalation::Level;
    let cal = crate::calendar::Calendar::new(crate::organisation::Nation::EnglandAndWales, []);
    // Aware Monday 09:30, CQC due in 24 hours.
    let (start, due) = (at("2026-11-23T09:30:00Z"), at("2026-11-24T09:30:00Z"));
    let cases: [(&str, &[DutyAlert]); 5] = [
        ("2026-11-23T21:29:00Z", &[]),
        ("2026-11-23T21:30:00Z", &[DutyAlert::Reminder]),
        ("2026-11-24T09:30:00Z", &[DutyAlert::Reminder]),
        (
            "2026-11-24T09:31:00Z",
            &[
                DutyAlert::Reminder,
                DutyAlert::Overdue(Level::RegisteredManager),
            ],
        ),
        (
            "2026-11-27T12:00:00Z",
            &[
                DutyAlert::Reminder,
                DutyAlert::Overdue(Level::RegisteredManager),
                DutyAlert::Overdue(Level::RegionalManager),
                DutyAlert::Overdue(Level::HeadOfOperations),
            ],
        ),
    ];
    for (now, want) in cases {
        assert_eq!(alerts_reached(&cal, start, due, at(now)), want, "at {now}");
    }
    // A deadline already behind the awareness (RIDDOR counts from the accident): remind at once.
    assert_eq!(
        alerts_reached(&cal, due, start, due),
        [
            DutyAlert::Reminder,
            DutyAlert::Overdue(Level::RegisteredManager)
        ]
    );
}

proptest! {
    /// Alerts only ever accumulate as time passes.
    #[test]
    fn alerts_accumulate(a in 0i64..400_000, b in 0i64..400_000) {
        let cal = crate::calendar::Calendar::new(crate::organisation::Nation::EnglandAndWales, []);
        let start = at("2026-11-23T09:30:00Z");
        let due = at("2026-11-24T09:30:00Z");
        let (early, late) = (a.min(b), a.max(b));
        let t = |m: i64| start.checked_add(jiff::SignedDuration::from_mins(m)).unwrap();
        let before = alerts_reached(&cal, start, due, t(early));
        let after = alerts_reached(&cal, start, due, t(late));
        prop_assert!(before.iter().all(|x| after.contains(x)));
    }
}

#[test]
fn only_serious_injury_and_abuse_forms_ask_whether_the_risk_was_known() {
    let names = |d: Duty| {
        cqc_questions(d)
            .into_iter()
            .map(|q| q.0)
            .collect::<Vec<_>>()
    };
    assert!(names(Duty::CqcAbuseNotification).contains(&"known_at_risk"));
    assert!(names(Duty::CqcSeriousInjuryNotification).contains(&"plan"));
    let death = names(Duty::CqcDeathNotification);
    assert!(death.contains(&"circumstances") && !death.contains(&"known_at_risk"));
    let a = Assessment::default();
    let s = source(&a);
    let saved = CqcAnswers {
        actions_staff: Some("Debriefed".into()),
        ..CqcAnswers::default()
    };
    assert_eq!(saved.or_report("actions_staff", &s), "Debriefed");
    assert_eq!(
        saved.or_report("actions_person", &s),
        "Called 999; stayed with her."
    );
    assert_eq!(saved.or_report("plan", &s), "");
}
