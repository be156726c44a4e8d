//! People whose risk has risen (issue 6, domain.md §12): rules an
//! organisation can edit flag a person from their recent incidents. The
//! defaults: two or more falls in 30 days, or three in 90; any fall with a
//! head injury while on anticoagulants; two or more medication errors
//! affecting them in 30 days; a new pressure ulcer of category 2 or above.
//! Each flag names its rule and the incidents behind it, and asks for a
//! review of the person's risk assessment and care plan; recording that
//! review clears it (only incidents after the review count again).
//!
//! Every rule looks back over at most [`RiskRules::look_back_days`]: a head
//! injury or an ulcer older than that no longer flags on its own.

use crate::details::{Details, UlcerCategory, UlcerOrigin, YesNo};
use crate::incident::{Category, EventKind};
use crate::validation::FieldErrors;
use jiff::{SignedDuration, Timestamp};

/// The organisation's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RiskRules {
    /// Falls within a short window: (how many, days).
    pub falls_short: (u32, u32),
    /// Falls within a long window: (how many, days).
    pub falls_long: (u32, u32),
    /// Medication errors affecting them: (how many, days).
    pub medication: (u32, u32),
    /// The lowest pressure ulcer category that flags (1–4; unstageable and
    /// deep tissue injuries always flag).
    pub ulcer_category: u8,
    /// Whether a fall with a head injury while on anticoagulants flags.
    pub head_injury_on_anticoagulants: bool,
}

impl Default for RiskRules {
    fn default() -> Self {
        RiskRules {
            falls_short: (2, 30),
            falls_long: (3, 90),
            medication: (2, 30),
            ulcer_category: 2,
            head_injury_on_anticoagulants: true,
        }
    }
}

impl RiskRules {
    /// How far back the rules look: the longest window, and at least 90 days.
    pub fn look_back_days(&self) -> u32 {
        self.falls_short
            .1
            .max(self.falls_long.1)
            .max(self.medication.1)
            .max(90)
    }

    /// Checks rules an organisation wrote, naming each field that is wrong:
    /// counts 1–20 (0 turns a rule off), windows 1–365 days, ulcer category 1–4.
    pub fn check(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        for (field, (n, days)) in [
            ("falls_short", self.falls_short),
            ("falls_long", self.falls_long),
            ("medication", self.medication),
        ] {
            if n > 20 {
                e.add(
                    &format!("{field}_count"),
                    "Choose a number from 0 (off) to 20",
                );
            }
            if !(1..=365).contains(&days) {
                e.add(
                    &format!("{field}_days"),
                    "Choose a window from 1 to 365 days",
                );
            }
        }
        if !(1..=4).contains(&self.ulcer_category) {
            e.add("ulcer_category", "Choose a category from 1 to 4");
        }
        e.into_result(())
    }
}

/// The rules as typed on the settings page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskRulesDraft {
    /// Falls in the short window: how many.
    pub falls_short_count: String,
    /// The short window, days.
    pub falls_short_days: String,
    /// Falls in the long window: how many.
    pub falls_long_count: String,
    /// The long window, days.
    pub falls_long_days: String,
    /// Medication errors: how many.
    pub medication_count: String,
    /// Their window, days.
    pub medication_days: String,
    /// The lowest ulcer category that flags.
    pub ulcer_category: String,
    /// `yes` when a head injury on a blood thinner flags.
    pub head_injury: String,
}

impl RiskRulesDraft {
    /// The form filled from the rules in force.
    pub fn from_rules(r: &RiskRules) -> RiskRulesDraft {
        RiskRulesDraft {
            falls_short_count: r.falls_short.0.to_string(),
            falls_short_days: r.falls_short.1.to_string(),
            falls_long_count: r.falls_long.0.to_string(),
            falls_long_days: r.falls_long.1.to_string(),
            medication_count: r.medication.0.to_string(),
            medication_days: r.medication.1.to_string(),
            ulcer_category: r.ulcer_category.to_string(),
            head_injury: if r.head_injury_on_anticoagulants {
                "yes"
            } else {
                "no"
            }
            .to_owned(),
        }
    }

    /// The rules, or each field that is wrong by name.
    pub fn validate(&self) -> Result<RiskRules, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut number = |field: &str, v: &str| match v.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                e.add(field, "Enter a whole number");
                u32::MAX
            }
        };
        let rules = RiskRules {
            falls_short: (
                number("falls_short_count", &self.falls_short_count),
                number("falls_short_days", &self.falls_short_days),
            ),
            falls_long: (
                number("falls_long_count", &self.falls_long_count),
                number("falls_long_days", &self.falls_long_days),
            ),
            medication: (
                number("medication_count", &self.medication_count),
                number("medication_days", &self.medication_days),
            ),
            ulcer_category: u8::try_from(number("ulcer_category", &self.ulcer_category))
                .unwrap_or(u8::MAX),
            head_injury_on_anticoagulants: self.head_injury == "yes",
        };
        let typed: Vec<String> = e.0.iter().map(|f| f.field.clone()).collect();
        if let Err(more) = rules.check() {
            for f in more.0 {
                if !typed.contains(&f.field) {
                    e.add(&f.field, f.message);
                }
            }
        }
        e.into_result(rules)
    }
}

impl RiskRule {
    /// What the rule is called on a page.
    pub fn label(self) -> &'static str {
        match self {
            RiskRule::RepeatFallsShort | RiskRule::RepeatFallsLong => "Repeated falls",
            RiskRule::HeadInjuryOnAnticoagulants => "Head injury on a blood thinner",
            RiskRule::RepeatMedicationErrors => "Repeated medication errors",
            RiskRule::PressureUlcer => "New pressure ulcer",
        }
    }
}

/// What the rules need from a report's answers: for a fall, whether the head
/// was struck and whether they take a blood thinner (`None` when not known);
/// for a pressure ulcer, its stage and whether it is new to us (anything not
/// recorded as present when they came to us).
pub fn facts_of(details: &Details) -> (Option<bool>, Option<bool>, Option<(Ulcer, bool)>) {
    let yes = |v: &YesNo| match v {
        YesNo::Yes => Some(true),
        YesNo::No => Some(false),
        YesNo::NotKnown => None,
    };
    match details {
        Details::Fall {
            head_struck,
            anticoagulant,
            ..
        } => (yes(head_struck), yes(anticoagulant), None),
        Details::PressureUlcer {
            ulcer_category: Some(c),
            origin,
            ..
        } => {
            let stage = match c {
                UlcerCategory::One => Ulcer::Category(1),
                UlcerCategory::Two => Ulcer::Category(2),
                UlcerCategory::Three => Ulcer::Category(3),
                UlcerCategory::Four => Ulcer::Category(4),
                UlcerCategory::Unstageable | UlcerCategory::DeepTissue => Ulcer::Unstageable,
            };
            (
                None,
                None,
                Some((stage, *origin != UlcerOrigin::PresentOnAdmission)),
            )
        }
        _ => (None, None, None),
    }
}

/// A pressure ulcer's stage as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ulcer {
    /// Category 1 to 4.
    Category(u8),
    /// Unstageable, or a suspected deep tissue injury.
    Unstageable,
}

/// One incident a person was affected by, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEvent {
    /// Its reference, to name it.
    pub reference: String,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// Incident or near miss (near misses never flag).
    pub kind: EventKind,
    /// Its category.
    pub category: Category,
    /// For a fall: whether they hit their head.
    pub head_struck: Option<bool>,
    /// For a fall: whether they take a blood thinner.
    pub anticoagulant: Option<bool>,
    /// For a pressure ulcer: its stage, and whether it developed in the service.
    pub ulcer: Option<(Ulcer, bool)>,
}

/// Which rule flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskRule {
    /// Falls in the short window.
    RepeatFallsShort,
    /// Falls in the long window.
    RepeatFallsLong,
    /// A head injury in a fall while on anticoagulants.
    HeadInjuryOnAnticoagulants,
    /// Repeated medication errors.
    RepeatMedicationErrors,
    /// A new pressure ulcer at or above the category.
    PressureUlcer,
}

/// A person flagged, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RiskFlag {
    /// The rule.
    pub rule: RiskRule,
    /// Why, in a sentence.
    pub reason: String,
    /// The incidents behind it.
    pub incidents: Vec<String>,
}

fn within<'a>(
    events: &'a [&'a PersonEvent],
    now: Timestamp,
    days: u32,
) -> impl Iterator<Item = &'a &'a PersonEvent> {
    let from = now
        .checked_sub(SignedDuration::from_hours(24 * i64::from(days)))
        .unwrap_or(now);
    events
        .iter()
        .filter(move |e| e.occurred_at > from && e.occurred_at <= now)
}

/// The flags a person has at `now`, from their incidents since their last
/// risk review (`reviewed_at`), under `rules`.
pub fn flags(
    rules: &RiskRules,
    events: &[PersonEvent],
    reviewed_at: Option<Timestamp>,
    now: Timestamp,
) -> Vec<RiskFlag> {
    let counted: Vec<&PersonEvent> = events
        .iter()
        .filter(|e| e.kind == EventKind::Incident)
        .filter(|e| reviewed_at.is_none_or(|r| e.occurred_at > r))
        .collect();
    let falls: Vec<&PersonEvent> = counted
        .iter()
        .copied()
        .filter(|e| e.category == Category::Fall)
        .collect();
    let mut out = Vec::new();
    let names = |it: Vec<&&PersonEvent>| it.iter().map(|e| e.reference.clone()).collect::<Vec<_>>();
    for (rule, (n, days)) in [
        (RiskRule::RepeatFallsShort, rules.falls_short),
        (RiskRule::RepeatFallsLong, rules.falls_long),
    ] {
        let recent: Vec<&&PersonEvent> = within(&falls, now, days).collect();
        if n > 0 && recent.len() >= n as usize {
            out.push(RiskFlag {
                rule,
                reason: format!("{} falls in the last {days} days", recent.len()),
                incidents: names(recent),
            });
        }
    }
    // The long window says nothing new when the short one already flags the same falls.
    if let [short, long] = out.as_slice()
        && short.incidents == long.incidents
    {
        out.pop();
    }
    if rules.head_injury_on_anticoagulants {
        let hurt: Vec<&&PersonEvent> = falls
            .iter()
            .filter(|e| e.head_struck == Some(true) && e.anticoagulant == Some(true))
            .collect();
        if !hurt.is_empty() {
            out.push(RiskFlag {
                rule: RiskRule::HeadInjuryOnAnticoagulants,
                reason: "A fall with a head injury while taking a blood thinner".to_owned(),
                incidents: names(hurt),
            });
        }
    }
    let medication: Vec<&PersonEvent> = counted
        .iter()
        .copied()
        .filter(|e| e.category == Category::Medication)
        .collect();
    let (n, days) = rules.medication;
    let recent: Vec<&&PersonEvent> = within(&medication, now, days).collect();
    if n > 0 && recent.len() >= n as usize {
        out.push(RiskFlag {
            rule: RiskRule::RepeatMedicationErrors,
            reason: format!("{} medication errors in the last {days} days", recent.len()),
            incidents: names(recent),
        });
    }
    let ulcers: Vec<&&PersonEvent> = counted
        .iter()
        .filter(|e| match e.ulcer {
            Some((Ulcer::Unstageable, true)) => true,
            Some((Ulcer::Category(c), true)) => c >= rules.ulcer_category,
            _ => false,
        })
        .collect();
    if !ulcers.is_empty() {
        out.push(RiskFlag {
            rule: RiskRule::PressureUlcer,
            reason: format!(
                "A new pressure ulcer of category {} or above (not present when they came to us)",
                rules.ulcer_category
            ),
            incidents: names(ulcers),
        });
    }
    out
}

/// The events in the look-back window at `now`: those the rules read.
pub fn in_look_back<'a>(
    rules: &RiskRules,
    events: &'a [PersonEvent],
    now: Timestamp,
) -> impl Iterator<Item = &'a PersonEvent> {
    let from = now
        .checked_sub(SignedDuration::from_hours(
            24 * i64::from(rules.look_back_days()),
        ))
        .unwrap_or(now);
    events.iter().filter(move |e| e.occurred_at >= from)
}

/// Until when [`flags`] at `now` stay the same if nothing is written: the
/// first moment after `now` at which one of `events` (those in the
/// look-back window at `now`) enters a rule's window or leaves one. Until
/// then, the flags of the events still in the look-back window are the
/// flags at `now`. `None` when no event can change anything (no events).
pub fn flags_until(rules: &RiskRules, events: &[PersonEvent], now: Timestamp) -> Option<Timestamp> {
    let days = |d: u32| SignedDuration::from_hours(24 * i64::from(d));
    // A rule's window holds an event until exactly `days` after it; the
    // look-back read holds it one millisecond longer (it reads from the
    // moment itself).
    let leaves = [
        days(rules.falls_short.1),
        days(rules.falls_long.1),
        days(rules.medication.1),
        days(rules.look_back_days()) + SignedDuration::from_millis(1),
    ];
    events
        .iter()
        .flat_map(|e| {
            std::iter::once(Some(e.occurred_at)).chain(
                leaves
                    .iter()
                    .map(move |d| e.occurred_at.checked_add(*d).ok()),
            )
        })
        .flatten()
        .filter(|t| *t > now)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn fall(r: &str, when: &str) -> PersonEvent {
        PersonEvent {
            reference: r.into(),
            occurred_at: at(when),
            kind: EventKind::Incident,
            category: Category::Fall,
            head_struck: Some(false),
            anticoagulant: Some(false),
            ulcer: None,
        }
    }

    fn rules_of(f: &[RiskFlag]) -> Vec<RiskRule> {
        f.iter().map(|x| x.rule).collect()
    }

    const NOW: &str = "2026-11-23T12:00:00Z";

    #[test]
    fn repeated_falls_flag_in_either_window() {
        let r = RiskRules::default();
        let two_in_30 = [
            fall("INC-1", "2026-11-01T10:00:00Z"),
            fall("INC-2", "2026-11-20T10:00:00Z"),
        ];
        let f = flags(&r, &two_in_30, None, at(NOW));
        assert_eq!(rules_of(&f), [RiskRule::RepeatFallsShort]);
        assert_eq!(f[0].incidents, ["INC-1", "INC-2"]);
        assert_eq!(f[0].reason, "2 falls in the last 30 days");
        let three_in_90 = [
            fall("INC-1", "2026-09-01T10:00:00Z"),
            fall("INC-2", "2026-10-01T10:00:00Z"),
            fall("INC-3", "2026-11-20T10:00:00Z"),
        ];
        assert_eq!(
            rules_of(&flags(&r, &three_in_90, None, at(NOW))),
            [RiskRule::RepeatFallsLong]
        );
        let spread = [
            fall("INC-1", "2026-06-01T10:00:00Z"),
            fall("INC-2", "2026-11-20T10:00:00Z"),
        ];
        assert!(flags(&r, &spread, None, at(NOW)).is_empty());
        // A near miss is not a fall.
        let mut near = two_in_30.clone();
        near[0].kind = EventKind::NearMiss;
        assert!(flags(&r, &near, None, at(NOW)).is_empty());
    }

    #[test]
    fn a_head_injury_on_a_blood_thinner_flags_at_once() {
        let mut f = fall("INC-7", "2026-11-22T03:00:00Z");
        f.head_struck = Some(true);
        f.anticoagulant = Some(true);
        let got = flags(
            &RiskRules::default(),
            std::slice::from_ref(&f),
            None,
            at(NOW),
        );
        assert_eq!(rules_of(&got), [RiskRule::HeadInjuryOnAnticoagulants]);
        f.anticoagulant = None;
        assert!(
            flags(&RiskRules::default(), &[f], None, at(NOW)).is_empty(),
            "not known is not yes"
        );
    }

    #[test]
    fn medication_errors_and_pressure_ulcers() {
        let med = |r: &str, when: &str| PersonEvent {
            category: Category::Medication,
            ..fall(r, when)
        };
        let ulcer = |u: Ulcer, ours: bool| PersonEvent {
            category: Category::PressureUlcer,
            ulcer: Some((u, ours)),
            ..fall("INC-9", "2026-11-10T10:00:00Z")
        };
        let r = RiskRules::default();
        let got = flags(
            &r,
            &[
                med("INC-4", "2026-11-02T08:00:00Z"),
                med("INC-5", "2026-11-21T08:00:00Z"),
            ],
            None,
            at(NOW),
        );
        assert_eq!(rules_of(&got), [RiskRule::RepeatMedicationErrors]);
        assert_eq!(
            rules_of(&flags(
                &r,
                &[ulcer(Ulcer::Category(2), true)],
                None,
                at(NOW)
            )),
            [RiskRule::PressureUlcer]
        );
        assert!(flags(&r, &[ulcer(Ulcer::Category(1), true)], None, at(NOW)).is_empty());
        assert!(
            flags(&r, &[ulcer(Ulcer::Category(3), false)], None, at(NOW)).is_empty(),
            "present on admission"
        );
        assert_eq!(
            rules_of(&flags(
                &r,
                &[ulcer(Ulcer::Unstageable, true)],
                None,
                at(NOW)
            )),
            [RiskRule::PressureUlcer]
        );
        let stricter = RiskRules {
            ulcer_category: 3,
            ..r
        };
        assert!(flags(&stricter, &[ulcer(Ulcer::Category(2), true)], None, at(NOW)).is_empty());
    }

    #[test]
    fn a_review_clears_the_flags_until_new_incidents() {
        let r = RiskRules::default();
        let falls = [
            fall("INC-1", "2026-11-01T10:00:00Z"),
            fall("INC-2", "2026-11-20T10:00:00Z"),
        ];
        assert!(flags(&r, &falls, Some(at("2026-11-21T09:00:00Z")), at(NOW)).is_empty());
        let mut more = falls.to_vec();
        more.push(fall("INC-3", "2026-11-22T10:00:00Z"));
        more.push(fall("INC-4", "2026-11-23T10:00:00Z"));
        let got = flags(&r, &more, Some(at("2026-11-21T09:00:00Z")), at(NOW));
        assert_eq!(got[0].incidents, ["INC-3", "INC-4"]);
    }

    #[test]
    fn facts_come_from_the_report_answers() {
        let fall = Details::Fall {
            seen: crate::details::FallSeen::Witnessed,
            head_struck: YesNo::Yes,
            anticoagulant: YesNo::NotKnown,
            location: None,
            footwear: None,
            equipment: vec![],
            body_sites: vec![],
        };
        assert_eq!(facts_of(&fall), (Some(true), None, None));
        let ulcer = |c, origin| Details::PressureUlcer {
            ulcer_category: c,
            body_site: None,
            origin,
            body_sites: vec![],
        };
        assert_eq!(
            facts_of(&ulcer(Some(UlcerCategory::Three), UlcerOrigin::NotKnown)).2,
            Some((Ulcer::Category(3), true))
        );
        assert_eq!(
            facts_of(&ulcer(
                Some(UlcerCategory::DeepTissue),
                UlcerOrigin::PresentOnAdmission
            ))
            .2,
            Some((Ulcer::Unstageable, false))
        );
        assert_eq!(
            facts_of(&ulcer(None, UlcerOrigin::AcquiredInService)).2,
            None
        );
    }

    #[test]
    fn rules_are_checked_field_by_field() {
        assert!(RiskRules::default().check().is_ok());
        assert_eq!(RiskRules::default().look_back_days(), 90);
        let bad = RiskRules {
            falls_short: (21, 0),
            ulcer_category: 5,
            medication: (0, 400),
            ..RiskRules::default()
        };
        let e: Vec<String> = bad
            .check()
            .err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(
            e,
            [
                "falls_short_count",
                "falls_short_days",
                "medication_days",
                "ulcer_category"
            ]
        );
        let longer = RiskRules {
            medication: (2, 180),
            ..RiskRules::default()
        };
        assert_eq!(longer.look_back_days(), 180);
    }

    #[test]
    fn the_typed_rules_round_trip_and_name_bad_fields() {
        let d = RiskRulesDraft::from_rules(&RiskRules::default());
        assert_eq!(d.validate(), Ok(RiskRules::default()));
        let bad = RiskRulesDraft {
            falls_short_days: "a month".into(),
            ulcer_category: "9".into(),
            head_injury: "no".into(),
            ..d
        };
        let fields: Vec<String> = bad
            .validate()
            .err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["falls_short_days", "ulcer_category"]);
    }

    proptest! {
        /// Every flag names at least one incident, each of them the person's.
        #[test]
        fn every_flag_names_its_incidents(days in proptest::collection::vec((0i64..120, any::<bool>(), any::<bool>(), 0u8..3), 0..12)) {
            let events: Vec<PersonEvent> = days
                .iter()
                .enumerate()
                .map(|(i, (ago, head, thin, cat))| PersonEvent {
                    occurred_at: at(NOW)
                        .checked_sub(SignedDuration::from_hours(24 * ago))
                        .unwrap_or(Timestamp::UNIX_EPOCH),
                    category: [Category::Fall, Category::Medication, Category::PressureUlcer][usize::from(*cat)],
                    head_struck: Some(*head),
                    anticoagulant: Some(*thin),
                    ulcer: Some((Ulcer::Category(2), true)),
                    ..fall(&format!("INC-{i}"), NOW)
                })
                .collect();
            for f in flags(&RiskRules::default(), &events, None, at(NOW)) {
                prop_assert!(!f.incidents.is_empty());
                prop_assert!(f.incidents.iter().all(|r| events.iter().any(|e| &e.reference == r)));
            }
        }

        /// Flags kept until `flags_until` are the flags worked out afresh
        /// at any moment before it, from the events then in the window.
        #[test]
        fn flags_hold_until_the_moment_flags_until_gives(
            days in proptest::collection::vec((0i64..200 * 24, any::<bool>(), any::<bool>(), 0u8..3, any::<bool>()), 0..10),
            short in 1u32..60,
            long in 1u32..200,
            med in 1u32..60,
            later in 0.0f64..1.0,
            reviewed in proptest::option::of(0i64..100 * 24),
        ) {
            let rules = RiskRules {
                falls_short: (2, short),
                falls_long: (3, long),
                medication: (2, med),
                ..RiskRules::default()
            };
            let now = at(NOW);
            let all: Vec<PersonEvent> = days
                .iter()
                .enumerate()
                .map(|(i, (hours_ago, head, thin, cat, incident))| PersonEvent {
                    // Up to a few days ahead too: the rules count an event only once it has happened.
                    occurred_at: now
                        .checked_sub(SignedDuration::from_hours(hours_ago - 72))
                        .unwrap_or(Timestamp::UNIX_EPOCH),
                    kind: if *incident { EventKind::Incident } else { EventKind::NearMiss },
                    category: [Category::Fall, Category::Medication, Category::PressureUlcer][usize::from(*cat)],
                    head_struck: Some(*head),
                    anticoagulant: Some(*thin),
                    ulcer: Some((Ulcer::Category(2), true)),
                    ..fall(&format!("INC-{i}"), NOW)
                })
                .collect();
            let reviewed = reviewed.and_then(|h| now.checked_sub(SignedDuration::from_hours(h)).ok());
            let read = |t: Timestamp| -> Vec<PersonEvent> { in_look_back(&rules, &all, t).cloned().collect() };
            let kept = flags(&rules, &read(now), reviewed, now);
            let until = flags_until(&rules, &read(now), now);
            prop_assert_eq!(until.is_none(), read(now).is_empty());
            if let Some(until) = until {
                prop_assert!(until > now);
                // A moment strictly between now and until.
                let span = until.as_millisecond() - now.as_millisecond();
                #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
                let step = ((span - 1) as f64 * later) as i64;
                let t = Timestamp::from_millisecond(now.as_millisecond() + step).unwrap_or(now);
                prop_assert_eq!(flags(&rules, &read(t), reviewed, t), kept.clone());
                // And at until itself something may change, but the rules see the same events or fewer.
                prop_assert!(read(until).len() <= read(now).len());
            }
        }
    }
}
