use super::*;
use crate::organisation::Nation;
use proptest::prelude::*;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Monday 23 Nov 2026: happened 09:00, reported 09:30 (UK = UTC in winter).
fn with<T>(
    category: Category,
    harm: Option<PhysicalHarm>,
    f: impl FnOnce(&IncidentFacts<'_>) -> T,
) -> T {
    let cal = Calendar::new(Nation::EnglandAndWales, []);
    let facts = IncidentFacts {
        occurred_at: at("2026-11-23T09:00:00Z"),
        reported_at: at("2026-11-23T09:30:00Z"),
        category,
        physical_harm: harm,
        calendar: &cal,
        settings: DutySettings::default(),
    };
    f(&facts)
}

fn one(a: &Assessment, category: Category, harm: Option<PhysicalHarm>, duty: Duty) -> Decision {
    with(category, harm, |i| {
        decide(a, i)
            .into_iter()
            .find(|d| d.duty == duty)
            .unwrap_or_else(|| decision(duty, "", ""))
    })
}

fn hcp(outcomes: &[HcpOutcome]) -> Option<HcpOpinion> {
    Some(HcpOpinion {
        name: "Dr Okafor".into(),
        role: "GP".into(),
        given_at: at("2026-11-23T15:00:00Z"),
        outcomes: outcomes.to_vec(),
    })
}

fn resident() -> Assessment {
    Assessment {
        person_type: Some(PersonType::ServiceUser),
        died: Some(false),
        ..Assessment::default()
    }
}

#[test]
fn every_duty_is_decided_once_with_its_basis() {
    let all = with(Category::Fall, None, |i| decide(&Assessment::default(), i));
    let duties: Vec<Duty> = all.iter().map(|d| d.duty).collect();
    assert_eq!(duties, Duty::ALL);
    for d in &all {
        assert!(
            !d.basis.is_empty() && !d.source.is_empty() && !d.reason.is_empty(),
            "{d:?}"
        );
    }
}

#[test]
fn a_death_in_care_is_notified_under_regulation_16_expected_or_not() {
    let death = |during, from_care, expected| Assessment {
        person_type: Some(PersonType::ServiceUser),
        died: Some(true),
        death_expected: Some(expected),
        occurred_during_regulated_activity: during,
        may_have_resulted_from_care: from_care,
        ..Assessment::default()
    };
    for (a, want, missing) in [
        (death(Some(true), None, true), Verdict::Required, vec![]),
        (death(Some(true), None, false), Verdict::Required, vec![]),
        (
            death(Some(false), Some(true), false),
            Verdict::Required,
            vec![],
        ),
        (
            death(Some(false), Some(false), true),
            Verdict::NotRequired,
            vec![],
        ),
        (
            death(Some(false), None, true),
            Verdict::NeedsInformation,
            vec!["may_have_resulted_from_care"],
        ),
        (resident(), Verdict::NotRequired, vec![]),
        (
            Assessment::default(),
            Verdict::NeedsInformation,
            vec!["person_type", "died"],
        ),
    ] {
        let d = one(&a, Category::Death, None, Duty::CqcDeathNotification);
        assert_eq!(
            (d.verdict, d.missing_facts.clone()),
            (want, missing),
            "{a:?}: {d:?}"
        );
        if want == Verdict::Required {
            assert_eq!(
                d.due_at,
                Some(at("2026-11-24T09:30:00Z")),
                "24 hours from awareness"
            );
        }
    }
}

#[test]
fn a_death_from_the_natural_course_of_illness_is_notified_but_is_not_a_candour_incident() {
    let a = Assessment {
        person_type: Some(PersonType::ServiceUser),
        died: Some(true),
        death_expected: Some(true),
        death_natural_course: Some(true),
        occurred_during_regulated_activity: Some(true),
        unintended_or_unexpected: Some(false),
        ..Assessment::default()
    };
    assert_eq!(
        one(&a, Category::Death, None, Duty::CqcDeathNotification).verdict,
        Verdict::Required
    );
    assert_eq!(
        one(&a, Category::Death, None, Duty::DutyOfCandour).verdict,
        Verdict::NotRequired
    );
    let unintended = Assessment {
        unintended_or_unexpected: Some(true),
        ..a.clone()
    };
    let d = one(&unintended, Category::Death, None, Duty::DutyOfCandour);
    assert_eq!(d.verdict, Verdict::NotRequired, "natural course: {d:?}");
    let from_incident = Assessment {
        death_natural_course: Some(false),
        ..unintended
    };
    let d = one(&from_incident, Category::Death, None, Duty::DutyOfCandour);
    assert_eq!(d.verdict, Verdict::Required);
    assert_eq!(
        d.due_at,
        Some(at("2026-12-07T23:59:59.999Z")),
        "10 working days from Monday 23 Nov"
    );
}

#[test]
fn serious_injury_needs_a_health_professionals_opinion() {
    let with_opinion = |o| Assessment {
        hcp_opinion: o,
        ..resident()
    };
    for (a, harm, want) in [
        (
            with_opinion(hcp(&[HcpOutcome::BodyStructureChange])),
            None,
            Verdict::Required,
        ),
        (
            with_opinion(hcp(&[HcpOutcome::TreatmentNeededToPrevent])),
            None,
            Verdict::Required,
        ),
        (
            with_opinion(hcp(&[])),
            Some(PhysicalHarm::Severe),
            Verdict::NotRequired,
        ),
        (
            with_opinion(None),
            Some(PhysicalHarm::Moderate),
            Verdict::NeedsInformation,
        ),
        (with_opinion(None), None, Verdict::NeedsInformation),
        (
            with_opinion(None),
            Some(PhysicalHarm::Low),
            Verdict::NotRequired,
        ),
    ] {
        let d = one(&a, Category::Fall, harm, Duty::CqcSeriousInjuryNotification);
        assert_eq!(d.verdict, want, "{a:?} {harm:?}: {d:?}");
        if want == Verdict::NeedsInformation {
            assert_eq!(d.missing_facts, ["hcp_opinion"]);
        }
    }
}

#[test]
fn a_category_3_pressure_ulcer_from_the_service_is_a_serious_injury() {
    let ulcer = |c, here| Assessment {
        pressure_ulcer_category: Some(c),
        pressure_ulcer_acquired_in_service: Some(here),
        ..resident()
    };
    for (a, want) in [
        (ulcer(PressureUlcerCategory::Three, true), Verdict::Required),
        (ulcer(PressureUlcerCategory::Four, true), Verdict::Required),
        (
            ulcer(PressureUlcerCategory::Unstageable, true),
            Verdict::Required,
        ),
        (
            ulcer(PressureUlcerCategory::Two, true),
            Verdict::NeedsInformation,
        ),
        (
            ulcer(PressureUlcerCategory::Three, false),
            Verdict::NeedsInformation,
        ),
        (
            ulcer(PressureUlcerCategory::DeepTissue, true),
            Verdict::NeedsInformation,
        ),
    ] {
        let d = one(
            &a,
            Category::PressureUlcer,
            Some(PhysicalHarm::Moderate),
            Duty::CqcSeriousInjuryNotification,
        );
        assert_eq!(d.verdict, want, "{a:?}");
    }
}

#[test]
fn abuse_is_notified_whoever_the_person_is_in_it_and_beats_the_police_form() {
    for role in AbuseRole::ALL {
        let a = Assessment {
            abuse_alleged: Some(true),
            abuse_role: Some(*role),
            police_involved: Some(true),
            ..resident()
        };
        let abuse = one(&a, Category::Safeguarding, None, Duty::CqcAbuseNotification);
        assert_eq!(abuse.verdict, Verdict::Required, "{role:?}");
        let police = one(
            &a,
            Category::Safeguarding,
            None,
            Duty::CqcPoliceNotification,
        );
        assert_eq!(
            police.verdict,
            Verdict::NotRequired,
            "the abuse form instead"
        );
        assert!(police.reason.contains("abuse"), "{}", police.reason);
    }
    let a = Assessment {
        abuse_alleged: Some(false),
        police_involved: Some(true),
        hcp_opinion: hcp(&[]),
        ..resident()
    };
    assert_eq!(
        one(&a, Category::Behaviour, None, Duty::CqcPoliceNotification).verdict,
        Verdict::Required,
        "no more specific form applies"
    );
}

#[test]
fn dols_outcomes_are_notified_and_applications_are_not() {
    let a = Assessment {
        dols_application_made: Some(true),
        ..resident()
    };
    assert_eq!(
        one(&a, Category::Other, None, Duty::CqcDolsNotification).verdict,
        Verdict::NotRequired
    );
    for o in DolsOutcome::ALL {
        let a = Assessment {
            dols_outcome: Some(*o),
            ..a.clone()
        };
        assert_eq!(
            one(&a, Category::Other, None, Duty::CqcDolsNotification).verdict,
            Verdict::Required
        );
    }
}

fn accident(person: PersonType, work_related: bool) -> Assessment {
    Assessment {
        person_type: Some(person),
        died: Some(false),
        accident: Some(true),
        work_related: Some(work_related),
        ..Assessment::default()
    }
}

#[test]
fn hse_examples_resident_falls() {
    // HSIS1: a resident with a history of falls, with no reasonably
    // practicable measures in place, falls and is taken to hospital for
    // treatment: reportable.
    let unprotected = Assessment {
        work_related_rationale: Some(
            "Falls history; the sensor mat in the care plan was not in place".into(),
        ),
        taken_to_hospital_for_treatment: Some(true),
        accident_at_hospital: Some(false),
        ..accident(PersonType::ServiceUser, true)
    };
    let d = one(
        &unprotected,
        Category::Fall,
        Some(PhysicalHarm::Severe),
        Duty::RiddorReport,
    );
    assert_eq!(
        (d.verdict, d.riddor_kind),
        (Verdict::Required, Some(RiddorKind::NonWorkerToHospital))
    );
    assert_eq!(
        d.due_at,
        Some(at("2026-12-03T23:59:59.999Z")),
        "10 days from the accident"
    );
    // Assessed as not needing special measures, no hazard: not reportable,
    // whatever the injury.
    let assessed = Assessment {
        work_related_rationale: Some(
            "Assessed as not needing falls equipment; no hazard found".into(),
        ),
        taken_to_hospital_for_treatment: Some(true),
        ..accident(PersonType::ServiceUser, false)
    };
    let d = one(
        &assessed,
        Category::Fall,
        Some(PhysicalHarm::Severe),
        Duty::RiddorReport,
    );
    assert_eq!(d.verdict, Verdict::NotRequired);
    assert!(d.reason.contains("Assessed as not needing falls equipment"));
    // Taken for checks only.
    let checks = Assessment {
        taken_to_hospital_for_treatment: Some(false),
        ..accident(PersonType::ServiceUser, true)
    };
    assert_eq!(
        one(&checks, Category::Fall, None, Duty::RiddorReport).verdict,
        Verdict::NotRequired
    );
}

#[test]
fn worker_injuries_by_kind_and_days_off() {
    let hurt = |injury, days| Assessment {
        specified_injury: injury,
        days_incapacitated: days,
        ..accident(PersonType::Worker, true)
    };
    for (a, want, kind, due) in [
        (
            hurt(Some(SpecifiedInjury::FractureNotFingerThumbToe), None),
            Verdict::Required,
            Some(RiddorKind::SpecifiedInjury),
            Some("2026-12-03T23:59:59.999Z"),
        ),
        (
            hurt(None, Some(8)),
            Verdict::Required,
            Some(RiddorKind::OverSevenDayIncapacitation),
            Some("2026-12-08T23:59:59.999Z"),
        ),
        (hurt(None, Some(7)), Verdict::NotRequired, None, None),
        (hurt(None, Some(4)), Verdict::NotRequired, None, None),
        (hurt(None, None), Verdict::NeedsInformation, None, None),
    ] {
        let d = one(&a, Category::Other, None, Duty::RiddorReport);
        assert_eq!((d.verdict, d.riddor_kind), (want, kind), "{a:?}");
        assert_eq!(d.due_at, due.map(at));
    }
    // A broken finger is not a specified injury (no such picklist value); days off decide.
    let finger = hurt(None, Some(2));
    assert_eq!(
        one(&finger, Category::Other, None, Duty::RiddorReport).verdict,
        Verdict::NotRequired
    );
    let four = one(
        &hurt(None, Some(4)),
        Category::Other,
        None,
        Duty::RiddorReport,
    );
    assert!(
        four.reason.contains("accident book"),
        "over three days: record only"
    );
}

#[test]
fn riddor_without_an_accident_or_at_a_hospital() {
    let not_accident = Assessment {
        accident: Some(false),
        ..accident(PersonType::ServiceUser, true)
    };
    assert_eq!(
        one(&not_accident, Category::Death, None, Duty::RiddorReport).verdict,
        Verdict::NotRequired
    );
    let at_hospital = |injury| Assessment {
        accident_at_hospital: Some(true),
        taken_to_hospital_for_treatment: Some(true),
        specified_injury: injury,
        ..accident(PersonType::Visitor, true)
    };
    assert_eq!(
        one(&at_hospital(None), Category::Fall, None, Duty::RiddorReport).verdict,
        Verdict::NotRequired
    );
    assert_eq!(
        one(
            &at_hospital(Some(SpecifiedInjury::FractureNotFingerThumbToe)),
            Category::Fall,
            None,
            Duty::RiddorReport
        )
        .riddor_kind,
        Some(RiddorKind::SpecifiedInjury)
    );
    let hoist = Assessment {
        dangerous_occurrence: Some(DangerousOccurrence::LiftingEquipmentFailure),
        ..Assessment::default()
    };
    assert_eq!(
        one(&hoist, Category::Equipment, None, Duty::RiddorReport).riddor_kind,
        Some(RiddorKind::DangerousOccurrence)
    );
}

#[test]
fn candour_has_no_moderate_harm_limb_for_a_care_provider() {
    let base = Assessment {
        unintended_or_unexpected: Some(true),
        ..resident()
    };
    // Moderate harm graded, but the professional found none of the outcomes.
    let none = Assessment {
        hcp_opinion: hcp(&[]),
        ..base.clone()
    };
    assert_eq!(
        one(
            &none,
            Category::Fall,
            Some(PhysicalHarm::Moderate),
            Duty::DutyOfCandour
        )
        .verdict,
        Verdict::NotRequired
    );
    let prolonged = Assessment {
        hcp_opinion: hcp(&[HcpOutcome::ProlongedPain]),
        ..base.clone()
    };
    assert_eq!(
        one(
            &prolonged,
            Category::Fall,
            Some(PhysicalHarm::Moderate),
            Duty::DutyOfCandour
        )
        .verdict,
        Verdict::Required
    );
    let unknown = one(
        &base,
        Category::Fall,
        Some(PhysicalHarm::Moderate),
        Duty::DutyOfCandour,
    );
    assert_eq!(
        (unknown.verdict, unknown.missing_facts),
        (Verdict::NeedsInformation, vec!["hcp_opinion"])
    );
}

#[test]
fn safeguarding_needs_all_three_section_42_tests() {
    let s42 = |a, b, c| Assessment {
        adult_has_care_and_support_needs: a,
        experiencing_or_at_risk_of_abuse_or_neglect: b,
        unable_to_protect_self: c,
        ..resident()
    };
    let d = one(
        &s42(Some(true), Some(true), Some(true)),
        Category::Safeguarding,
        None,
        Duty::SafeguardingReferral,
    );
    assert_eq!(
        (d.verdict, d.due_at),
        (Verdict::Required, Some(at("2026-11-23T23:59:59.999Z"))),
        "the same day"
    );
    assert_eq!(
        one(
            &s42(Some(true), Some(false), None),
            Category::Safeguarding,
            None,
            Duty::SafeguardingReferral
        )
        .verdict,
        Verdict::NotRequired
    );
    let d = one(
        &s42(Some(true), None, None),
        Category::Safeguarding,
        None,
        Duty::SafeguardingReferral,
    );
    assert_eq!(
        d.missing_facts,
        [
            "experiencing_or_at_risk_of_abuse_or_neglect",
            "unable_to_protect_self"
        ]
    );
}

#[test]
fn a_data_breach_is_reported_to_the_ico_within_72_hours_of_awareness() {
    let breach = |risk| Assessment {
        personal_data_breach: Some(true),
        breach_risk_to_individuals: risk,
        became_aware_at: Some(at("2026-11-23T16:00:00Z")),
        ..Assessment::default()
    };
    let d = one(
        &breach(Some(BreachRisk::Risk)),
        Category::DataBreach,
        None,
        Duty::IcoBreachReport,
    );
    assert_eq!(
        (d.verdict, d.due_at),
        (Verdict::Required, Some(at("2026-11-26T16:00:00Z")))
    );
    assert_eq!(
        one(
            &breach(Some(BreachRisk::Unlikely)),
            Category::DataBreach,
            None,
            Duty::IcoBreachReport
        )
        .verdict,
        Verdict::NotRequired
    );
    assert_eq!(
        one(
            &breach(None),
            Category::DataBreach,
            None,
            Duty::IcoBreachReport
        )
        .missing_facts,
        ["breach_risk_to_individuals"]
    );
    assert_eq!(
        one(
            &Assessment::default(),
            Category::DataBreach,
            None,
            Duty::IcoBreachReport
        )
        .missing_facts,
        ["personal_data_breach"],
        "asked for a data breach"
    );
    assert_eq!(
        one(
            &Assessment::default(),
            Category::Fall,
            None,
            Duty::IcoBreachReport
        )
        .verdict,
        Verdict::NotRequired,
        "not asked about a fall"
    );
}

fn any_bool() -> impl Strategy<Value = Option<bool>> {
    prop_oneof![Just(None), Just(Some(true)), Just(Some(false))]
}

fn pick<T: Copy + std::fmt::Debug + 'static>(
    all: &'static [T],
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![Just(None), proptest::sample::select(all).prop_map(Some)]
}

prop_compose! {
    fn any_assessment()(
        person_type in pick(PersonType::ALL),
        bools in proptest::collection::vec(any_bool(), 17),
        outcomes in proptest::option::of(proptest::sample::subsequence(HcpOutcome::ALL.to_vec(), 0..3)),
        ulcer in pick(PressureUlcerCategory::ALL),
        abuse_role in pick(AbuseRole::ALL),
        dols in pick(DolsOutcome::ALL),
        disruption in pick(ServiceDisruption::ALL),
        specified in pick(SpecifiedInjury::ALL),
        disease in pick(OccupationalDisease::ALL),
        occurrence in pick(DangerousOccurrence::ALL),
        risk in pick(BreachRisk::ALL),
        days in proptest::option::of(0u32..30),
    ) -> Assessment {
        Assessment {
            person_type,
            died: bools[0],
            death_expected: bools[1],
            death_natural_course: bools[2],
            occurred_during_regulated_activity: bools[3],
            may_have_resulted_from_care: bools[4],
            hcp_opinion: outcomes.map(|o| HcpOpinion { name: "N".into(), role: "R".into(), given_at: at("2026-11-23T12:00:00Z"), outcomes: o }),
            pressure_ulcer_category: ulcer,
            pressure_ulcer_acquired_in_service: bools[5],
            unintended_or_unexpected: bools[6],
            abuse_alleged: bools[7],
            abuse_role,
            abuse_type: None,
            police_involved: bools[8],
            dols_outcome: dols,
            dols_application_made: bools[9],
            service_disruption: disruption,
            accident: bools[10],
            work_related: bools[11],
            work_related_rationale: None,
            specified_injury: specified,
            taken_to_hospital_for_treatment: bools[12],
            accident_at_hospital: bools[13],
            days_incapacitated: days,
            occupational_disease: disease,
            dangerous_occurrence: occurrence,
            adult_has_care_and_support_needs: bools[14],
            experiencing_or_at_risk_of_abuse_or_neglect: bools[15],
            unable_to_protect_self: bools[16],
            personal_data_breach: bools[0].and(bools[5]),
            breach_risk_to_individuals: risk,
            became_aware_at: None,
            awareness_at: None,
        }
    }
}

/// `b` with every fact `a` left unanswered filled in from `full`.
fn more_known(a: &Assessment, full: &Assessment) -> Assessment {
    macro_rules! fill {
        ($($f:ident),*) => { Assessment { $($f: a.$f.clone().or(full.$f.clone()),)* ..a.clone() } };
    }
    fill!(
        person_type,
        died,
        death_expected,
        death_natural_course,
        occurred_during_regulated_activity,
        may_have_resulted_from_care,
        hcp_opinion,
        pressure_ulcer_category,
        pressure_ulcer_acquired_in_service,
        unintended_or_unexpected,
        abuse_alleged,
        abuse_role,
        police_involved,
        dols_outcome,
        dols_application_made,
        service_disruption,
        accident,
        work_related,
        specified_injury,
        taken_to_hospital_for_treatment,
        accident_at_hospital,
        days_incapacitated,
        occupational_disease,
        dangerous_occurrence,
        adult_has_care_and_support_needs,
        experiencing_or_at_risk_of_abuse_or_neglect,
        unable_to_protect_self,
        personal_data_breach,
        breach_risk_to_individuals
    )
}

proptest! {
    #[test]
    fn decisions_hold_together(a in any_assessment(), more in any_assessment(), harm in pick(PhysicalHarm::ALL), category in proptest::sample::select(Category::ALL)) {
        with(category, harm, |i| {
            let first = decide(&a, i);
            for d in &first {
                // A deadline is never before the event.
                if let Some(due) = d.due_at {
                    prop_assert!(due >= i.occurred_at, "{d:?}");
                }
                // Every unknown names what is missing; only unknowns do.
                prop_assert_eq!(d.verdict == Verdict::NeedsInformation, !d.missing_facts.is_empty(), "{:?}", d);
                prop_assert_eq!(d.verdict == Verdict::Required, d.due_at.is_some(), "{:?}", d);
            }
            // Answering more never turns a required duty into an unknown.
            let later = decide(&more_known(&a, &more), i);
            for (x, y) in first.iter().zip(&later) {
                if x.verdict == Verdict::Required {
                    prop_assert_ne!(y.verdict, Verdict::NeedsInformation, "{:?} became {:?}", x, y);
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn a_partial_update_sets_and_clears_facts_and_names_bad_ones() {
    let patch = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
    let (a, changed) = apply_patch(
        &Assessment::default(),
        &patch(serde_json::json!({
            "person_type": "service_user",
            "died": false,
            "hcp_opinion": {"name": "Dr Okafor", "role": "GP", "given_at": "2026-11-23T15:00:00Z", "outcomes": ["prolonged_pain"]},
        })),
    )
    .unwrap_or_default();
    assert_eq!(a.person_type, Some(PersonType::ServiceUser));
    assert_eq!(
        a.hcp_opinion.as_ref().map(|o| o.outcomes.clone()),
        Some(vec![HcpOutcome::ProlongedPain])
    );
    assert_eq!(changed, ["died", "hcp_opinion", "person_type"]);
    let (b, changed) = apply_patch(
        &a,
        &patch(serde_json::json!({"died": null, "person_type": "service_user"})),
    )
    .unwrap_or_default();
    assert_eq!(
        (b.died, b.person_type),
        (None, Some(PersonType::ServiceUser))
    );
    assert_eq!(changed, ["died"], "an unchanged fact is not a change");
    let Err(e) = apply_patch(
        &a,
        &patch(
            serde_json::json!({"person_type": "resident", "diedd": true, "days_incapacitated": 900, "hcp_opinion": {"name": " ", "role": "GP", "given_at": "2026-11-23T15:00:00Z", "outcomes": []}}),
        ),
    ) else {
        panic!("bad facts are refused");
    };
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        ["days_incapacitated", "diedd", "hcp_opinion", "person_type"]
    );
    assert!(
        e.for_field("diedd")
            .is_some_and(|m| m.contains("does not know"))
    );
    // A stored assessment reads back as it was.
    let json = serde_json::to_string(&a).unwrap_or_default();
    assert_eq!(serde_json::from_str::<Assessment>(&json).ok(), Some(a));
}

proptest! {
    #[test]
    fn every_fact_the_engine_asks_for_has_a_question(a in any_assessment(), harm in pick(PhysicalHarm::ALL), category in proptest::sample::select(Category::ALL)) {
        with(category, harm, |i| {
            for d in decide(&a, i) {
                for f in &d.missing_facts {
                    let q = question(f);
                    prop_assert!(q.is_some(), "no question for {}", f);
                    prop_assert_eq!(q.map(|q| q.fact), Some(*f));
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn every_optional_fact_has_a_question_and_a_name_the_assessment_knows() {
    let known = serde_json::to_value(Assessment::default()).unwrap_or_default();
    for f in OPTIONAL_FACTS {
        assert_eq!(question(f).map(|q| q.fact), Some(*f));
        assert!(known.get(*f).is_some(), "{f}");
    }
}

#[test]
fn facts_are_written_in_json_by_their_codes() {
    let a = Assessment {
        pressure_ulcer_category: Some(PressureUlcerCategory::Three),
        service_disruption: Some(ServiceDisruption::UtilityFailureOver24h),
        ..resident()
    };
    let json = serde_json::to_value(&a).unwrap_or_default();
    assert_eq!(json["pressure_ulcer_category"], "3");
    assert_eq!(json["service_disruption"], "utility_failure_over_24h");
    assert_eq!(json["person_type"], "service_user");
    assert_eq!(serde_json::from_value::<Assessment>(json).ok(), Some(a));
    let bad = serde_json::from_value::<Assessment>(
        serde_json::json!({"pressure_ulcer_category": "three"}),
    );
    assert!(bad.is_err_and(|e| {
        e.to_string()
            .contains("\"three\" is not one of 1, 2, 3, 4, unstageable, deep_tissue")
    }));
    // Every code of every picklist reads back.
    for q in OPTIONAL_FACTS
        .iter()
        .chain(["person_type", "abuse_role", "breach_risk_to_individuals"].iter())
    {
        if let Some(Question {
            ask: Ask::Choice(options),
            fact,
            ..
        }) = question(q)
        {
            for (code, _) in options {
                let v = serde_json::json!({ fact: code });
                let back = serde_json::from_value::<Assessment>(v.clone())
                    .map(|a| serde_json::to_value(a).unwrap_or_default());
                assert_eq!(
                    back.ok().map(|b| b[fact].clone()),
                    Some(v[fact].clone()),
                    "{fact} {code}"
                );
            }
        }
    }
}

#[test]
fn times_among_the_facts_are_neither_future_nor_before_the_incident() {
    let happened = at("2026-11-23T09:00:00Z");
    let now = at("2026-11-24T12:00:00Z");
    let with = |given: &str| Assessment {
        hcp_opinion: Some(HcpOpinion {
            name: "Dr Okafor".into(),
            role: "GP".into(),
            given_at: at(given),
            outcomes: vec![],
        }),
        awareness_at: Some(at(given)),
        ..Assessment::default()
    };
    let changed = vec!["hcp_opinion".to_owned(), "awareness_at".to_owned()];
    assert!(check_times(&with("2026-11-23T15:00:00Z"), &changed, happened, now).is_empty());
    let future = check_times(&with("2026-11-25T09:00:00Z"), &changed, happened, now);
    assert_eq!(future.0.len(), 2);
    assert!(
        future
            .for_field("hcp_opinion")
            .is_some_and(|m| m.contains("future"))
    );
    let early = check_times(&with("2026-11-22T09:00:00Z"), &changed, happened, now);
    assert!(
        early
            .for_field("awareness_at")
            .is_some_and(|m| m.contains("23 Nov 2026, 09:00"))
    );
    // Facts not changed now are not checked again.
    assert!(check_times(&with("2026-11-22T09:00:00Z"), &[], happened, now).is_empty());
}
