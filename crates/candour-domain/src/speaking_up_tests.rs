//! Table and property tests of the speaking-up rules.

use super::*;
use proptest::prelude::*;
use uuid::Uuid;

fn ids() -> (ServiceId, ServiceId, RegionId, RegionId) {
    (
        ServiceId(Uuid::from_u128(1)),
        ServiceId(Uuid::from_u128(2)),
        RegionId(Uuid::from_u128(10)),
        RegionId(Uuid::from_u128(20)),
    )
}

fn grant(role: Role, scope: Scope) -> Grant {
    Grant { role, scope }
}

#[test]
fn a_guardian_handles_what_their_grant_reaches_unless_they_manage_it() {
    let (s1, s2, r1, r2) = ids();
    let guardian_org = grant(Role::SpeakingUpGuardian, Scope::Organisation);
    let guardian_r1 = grant(Role::SpeakingUpGuardian, Scope::Region(r1));
    let about_s1 = Some((s1, r1));
    let about_s2 = Some((s2, r2));
    type About = Option<(ServiceId, RegionId)>;
    let cases: Vec<(Vec<Grant>, About, bool, &str)> = vec![
        (
            vec![guardian_org],
            about_s1,
            true,
            "organisation guardian, a service",
        ),
        (
            vec![guardian_org],
            None,
            true,
            "organisation guardian, the whole organisation",
        ),
        (
            vec![guardian_r1],
            about_s1,
            true,
            "region guardian, a service in it",
        ),
        (
            vec![guardian_r1],
            about_s2,
            false,
            "region guardian, another region",
        ),
        (
            vec![guardian_r1],
            None,
            false,
            "region guardian, the whole organisation",
        ),
        (
            vec![
                guardian_org,
                grant(Role::RegisteredManager, Scope::Service(s1)),
            ],
            about_s1,
            false,
            "manages the service",
        ),
        (
            vec![
                guardian_org,
                grant(Role::RegisteredManager, Scope::Service(s1)),
            ],
            about_s2,
            true,
            "manages another service",
        ),
        (
            vec![
                guardian_org,
                grant(Role::RegionalManager, Scope::Region(r1)),
            ],
            about_s1,
            false,
            "regional manager over it",
        ),
        (
            vec![
                guardian_org,
                grant(Role::HeadOfOperations, Scope::Organisation),
            ],
            None,
            false,
            "head of operations, the whole organisation",
        ),
        (
            vec![
                guardian_org,
                grant(Role::QualityAssurance, Scope::Organisation),
            ],
            about_s1,
            true,
            "quality assurance is not line management",
        ),
        (
            vec![grant(Role::HeadOfOperations, Scope::Organisation)],
            about_s1,
            false,
            "no guardian grant",
        ),
    ];
    for (grants, about, expected, case) in cases {
        assert_eq!(handles(&grants, about), expected, "{case}");
    }
}

#[test]
fn a_concern_names_each_field_it_is_missing() {
    let e = ConcernDraft::default().validate().err().unwrap_or_default();
    for field in ["theme", "description", "identity"] {
        assert!(e.for_field(field).is_some(), "{field}");
    }
    let bad_service = ConcernDraft {
        theme: "culture".into(),
        service_id: "not-a-service".into(),
        description: "x".into(),
        identity: "anonymous".into(),
    };
    let e = bad_service.validate().err().unwrap_or_default();
    assert!(e.for_field("service_id").is_some());
    let ok = ConcernDraft {
        theme: "manager_conduct".into(),
        service_id: String::new(),
        description: "  The manager shouts at night staff.  ".into(),
        identity: "confidential".into(),
    };
    assert_eq!(
        ok.validate(),
        Ok(NewConcern {
            theme: Theme::ManagerConduct,
            service_id: None,
            description: "The manager shouts at night staff.".into(),
            identity: Identity::Confidential,
        })
    );
}

#[test]
fn timescales_are_checked_and_feedback_is_not_before_acknowledgement() {
    let ok = SpeakUpSettingsDraft {
        acknowledge_days: "3".into(),
        feedback_days: "21".into(),
    };
    assert_eq!(
        ok.validate(),
        Ok(SpeakUpSettings {
            acknowledge_days: 3,
            feedback_days: 21
        })
    );
    let early = SpeakUpSettingsDraft {
        acknowledge_days: "7".into(),
        feedback_days: "5".into(),
    };
    assert!(
        early
            .validate()
            .err()
            .unwrap_or_default()
            .for_field("feedback_days")
            .is_some()
    );
    let bad = SpeakUpSettingsDraft {
        acknowledge_days: "0".into(),
        feedback_days: "lots".into(),
    };
    let e = bad.validate().err().unwrap_or_default();
    assert!(e.for_field("acknowledge_days").is_some());
    assert!(e.for_field("feedback_days").is_some());
}

#[test]
fn lateness_is_judged_by_when_each_step_was_done() {
    let s = SpeakUpSettings {
        acknowledge_days: 2,
        feedback_days: 10,
    };
    let raised = 1_000_000;
    let day = DAY_MS;
    assert_eq!(s.lateness(raised, None, None, raised + day), (false, false));
    assert_eq!(
        s.lateness(raised, None, None, raised + 3 * day),
        (true, false)
    );
    assert_eq!(
        s.lateness(raised, Some(raised + day), None, raised + 3 * day),
        (false, false)
    );
    assert_eq!(
        s.lateness(raised, Some(raised + 3 * day), None, raised + 4 * day),
        (true, false)
    );
    assert_eq!(
        s.lateness(
            raised,
            Some(raised + day),
            Some(raised + 11 * day),
            raised + 40 * day
        ),
        (false, true)
    );
}

#[test]
fn status_follows_the_steps_taken() {
    assert_eq!(Status::of(false, false), Status::Raised);
    assert_eq!(Status::of(true, false), Status::Acknowledged);
    assert_eq!(Status::of(true, true), Status::Closed);
}

proptest! {
    #[test]
    fn references_read_back(n in 1i64..1_000_000) {
        prop_assert_eq!(parse_reference(&reference(n)), Some(n));
    }

    #[test]
    fn every_theme_code_reads_back(i in 0usize..5) {
        let t = Theme::ALL[i];
        prop_assert_eq!(Theme::parse(t.code()), Some(t));
    }

    #[test]
    fn nothing_done_is_never_early(ack in 1u32..15, extra in 0u32..60, raised in 0i64..1_000_000_000, after in 0i64..10_000_000_000) {
        let s = SpeakUpSettings { acknowledge_days: ack, feedback_days: ack + extra };
        let now = raised + after;
        let (a, f) = s.lateness(raised, None, None, now);
        prop_assert_eq!(a, now > s.acknowledge_due(raised));
        prop_assert_eq!(f, now > s.feedback_due(raised));
        // Feedback is never late while acknowledgement is not.
        prop_assert!(!f || a);
    }
}
