//! Lessons learned (issue 6): a short record of what happened (anonymised),
//! what we learned and what we changed, published to a service, a region or
//! the whole organisation; the staff in that scope are asked to read and
//! acknowledge it, and reminded until they do.

use crate::ids::{RegionId, ServiceId};
use crate::role::{Grant, Permission, Scope};
use crate::validation::{FieldErrors, checked_text};
use jiff::{SignedDuration, Timestamp};

/// Where a lesson came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// An incident or near miss (with its reference).
    Incident,
    /// An investigation.
    Investigation,
    /// A lessons-learned meeting.
    Meeting,
    /// External guidance or a safety alert.
    Guidance,
}

impl Source {
    /// Every source, in the order the form offers them.
    pub const ALL: [Source; 4] = [
        Source::Incident,
        Source::Investigation,
        Source::Meeting,
        Source::Guidance,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Source::Incident => "incident",
            Source::Investigation => "investigation",
            Source::Meeting => "meeting",
            Source::Guidance => "guidance",
        }
    }

    /// Reads a stored code.
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Label on a page.
    pub fn label(self) -> &'static str {
        match self {
            Source::Incident => "An incident or near miss",
            Source::Investigation => "An investigation",
            Source::Meeting => "A lessons-learned meeting",
            Source::Guidance => "External guidance or a safety alert",
        }
    }
}

/// A lesson as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonDraft {
    /// A short title.
    pub title: String,
    /// What happened, with no one named.
    pub what_happened: String,
    /// What we learned.
    pub what_we_learned: String,
    /// What we changed.
    pub what_we_changed: String,
    /// `organisation`, `region:<id>` or `service:<id>`.
    pub scope: String,
    /// A [`Source`] code.
    pub source: String,
    /// The source's reference, such as `INC-000123` (required for an incident).
    pub source_ref: String,
}

/// A lesson ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLesson {
    /// Title.
    pub title: String,
    /// What happened.
    pub what_happened: String,
    /// What we learned.
    pub what_we_learned: String,
    /// What we changed.
    pub what_we_changed: String,
    /// Published to.
    pub scope: Scope,
    /// Where it came from.
    pub source: Source,
    /// The source's reference.
    pub source_ref: String,
}

/// Reads a scope choice: `organisation`, `region:<id>` or `service:<id>`.
pub fn parse_scope(s: &str) -> Option<Scope> {
    match s.split_once(':') {
        None if s == "organisation" => Some(Scope::Organisation),
        Some(("region", id)) => id.parse().ok().map(Scope::Region),
        Some(("service", id)) => id.parse().ok().map(Scope::Service),
        _ => None,
    }
}

/// Writes a scope choice as [`parse_scope`] reads it.
pub fn scope_code(s: Scope) -> String {
    match s {
        Scope::Organisation => "organisation".to_owned(),
        Scope::Region(r) => format!("region:{r}"),
        Scope::Service(id) => format!("service:{id}"),
    }
}

impl LessonDraft {
    /// The lesson, or each field that is wrong by name. `names` are the
    /// names of people using the services in scope: a lesson that contains
    /// one is refused, for it must be anonymised.
    pub fn validate(&self, names: &[String]) -> Result<NewLesson, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = checked_text(
            &mut e,
            "title",
            &self.title,
            120,
            Some("Give the lesson a short title"),
        );
        let mut texts = Vec::new();
        for (field, value, missing) in [
            (
                "what_happened",
                &self.what_happened,
                "Say what happened, without naming anyone",
            ),
            (
                "what_we_learned",
                &self.what_we_learned,
                "Say what we learned",
            ),
            (
                "what_we_changed",
                &self.what_we_changed,
                "Say what we changed, or will change",
            ),
        ] {
            let t = checked_text(&mut e, field, value, 2_000, Some(missing));
            if let Some(name) = named_in(&t, names) {
                e.add(
                    field,
                    format!(
                        "Leave names out: write the person's internal code instead of \"{name}\""
                    ),
                );
            }
            texts.push(t);
        }
        let scope = parse_scope(self.scope.trim());
        if scope.is_none() {
            e.add("scope", "Choose who the lesson is for");
        }
        let source = Source::parse(self.source.trim());
        if source.is_none() {
            e.add("source", "Choose where the lesson came from");
        }
        let source_ref = checked_text(&mut e, "source_ref", &self.source_ref, 60, None);
        if source == Some(Source::Incident)
            && crate::incident::IncidentReference::parse(&source_ref).is_none()
        {
            e.add(
                "source_ref",
                "Enter the incident's reference, such as INC-000123",
            );
        }
        let [what_happened, what_we_learned, what_we_changed] =
            <[String; 3]>::try_from(texts).unwrap_or_default();
        match (scope, source, e.is_empty()) {
            (Some(scope), Some(source), true) => Ok(NewLesson {
                title,
                what_happened,
                what_we_learned,
                what_we_changed,
                scope,
                source,
                source_ref,
            }),
            _ => Err(e),
        }
    }
}

/// The first of `names` (two letters or more) that appears in `text` as
/// whole words, ignoring case.
fn named_in<'a>(text: &str, names: &'a [String]) -> Option<&'a str> {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let haystack = words(text);
    names.iter().map(String::as_str).find(|name| {
        let needle = words(name);
        needle.iter().map(String::len).sum::<usize>() >= 2
            && !needle.is_empty()
            && haystack
                .windows(needle.len())
                .any(|w| w == needle.as_slice())
    })
}

/// Whether a grant's scope and a lesson's scope share a service.
/// `region_of` says which region a service is in.
pub fn overlaps(
    grant: Scope,
    lesson: Scope,
    region_of: impl Fn(ServiceId) -> Option<RegionId>,
) -> bool {
    match (grant, lesson) {
        (Scope::Organisation, _) | (_, Scope::Organisation) => true,
        (Scope::Region(a), Scope::Region(b)) => a == b,
        (Scope::Service(a), Scope::Service(b)) => a == b,
        (Scope::Service(s), Scope::Region(r)) | (Scope::Region(r), Scope::Service(s)) => {
            region_of(s) == Some(r)
        }
    }
}

/// Whether someone with `grants` is asked to read a lesson published to `lesson`.
pub fn in_audience(
    grants: &[Grant],
    lesson: Scope,
    region_of: impl Fn(ServiceId) -> Option<RegionId> + Copy,
) -> bool {
    grants.iter().any(|g| overlaps(g.scope, lesson, region_of))
}

/// Whether someone with `grants` may publish to `lesson`: they triage
/// incidents over the whole of it.
pub fn may_publish(
    grants: &[Grant],
    lesson: Scope,
    region_of: impl Fn(ServiceId) -> Option<RegionId>,
) -> bool {
    grants.iter().any(|g| {
        g.role.allows(Permission::TriageIncidents)
            && match (g.scope, lesson) {
                (Scope::Organisation, _) => true,
                (Scope::Region(a), Scope::Region(b)) => a == b,
                (Scope::Region(r), Scope::Service(s)) => region_of(s) == Some(r),
                (Scope::Service(a), Scope::Service(b)) => a == b,
                _ => false,
            }
    })
}

/// Days after publication when someone who has not acknowledged a lesson
/// is reminded (UNCONFIRMED defaults).
pub const REMINDER_DAYS: [i64; 2] = [3, 10];

/// The reminders due by `now` for a lesson published at `published`
/// (indexes into [`REMINDER_DAYS`]); the caller sends each once.
pub fn reminders_due(published: Timestamp, now: Timestamp) -> Vec<usize> {
    REMINDER_DAYS
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            published
                .checked_add(SignedDuration::from_hours(24 * **d))
                .is_ok_and(|at| at <= now)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::role::Role;
    use proptest::prelude::*;

    fn draft() -> LessonDraft {
        LessonDraft {
            title: "Sensor mats at night".into(),
            what_happened: "P-000001 fell twice at night getting up for the toilet".into(),
            what_we_learned: "The mat was unplugged after cleaning".into(),
            what_we_changed: "Night staff check mats on every round".into(),
            scope: "organisation".into(),
            source: "incident".into(),
            source_ref: "INC-000012".into(),
        }
    }

    fn fields(r: Result<NewLesson, FieldErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_lesson_is_checked_field_by_field() {
        let ok = draft().validate(&[]).unwrap();
        assert_eq!(ok.scope, Scope::Organisation);
        assert_eq!(ok.source, Source::Incident);
        assert_eq!(
            fields(
                LessonDraft {
                    title: " ".into(),
                    scope: "region:nope".into(),
                    source: "gossip".into(),
                    ..draft()
                }
                .validate(&[])
            ),
            ["title", "scope", "source"]
        );
        assert_eq!(
            fields(
                LessonDraft {
                    source_ref: "last Tuesday".into(),
                    ..draft()
                }
                .validate(&[])
            ),
            ["source_ref"]
        );
        let guidance = LessonDraft {
            source: "guidance".into(),
            source_ref: String::new(),
            ..draft()
        };
        assert!(
            guidance.validate(&[]).is_ok(),
            "only incidents need a reference"
        );
    }

    #[test]
    fn a_name_in_a_lesson_is_refused_by_field() {
        let names = vec!["Edna Test".to_owned(), "Al".to_owned()];
        let named = LessonDraft {
            what_we_learned: "edna  test's mat was unplugged".into(),
            ..draft()
        };
        let e = named.validate(&names).err().unwrap();
        assert_eq!(e.0[0].field, "what_we_learned");
        assert!(e.0[0].message.contains("\"Edna Test\""));
        // Whole words only: "Al" is not in "always".
        let fine = LessonDraft {
            what_we_changed: "Mats are always checked".into(),
            ..draft()
        };
        assert!(fine.validate(&names).is_ok());
    }

    #[test]
    fn scopes_round_trip() {
        let s = ServiceId(uuid::Uuid::nil());
        for scope in [Scope::Organisation, Scope::Service(s)] {
            assert_eq!(parse_scope(&scope_code(scope)), Some(scope));
        }
        assert_eq!(parse_scope("everyone"), None);
    }

    #[test]
    fn audience_and_publishers_follow_grants() {
        let r1 = RegionId(uuid::Uuid::from_u128(1));
        let r2 = RegionId(uuid::Uuid::from_u128(2));
        let a = ServiceId(uuid::Uuid::from_u128(10));
        let b = ServiceId(uuid::Uuid::from_u128(20));
        let region_of = |s: ServiceId| Some(if s == a { r1 } else { r2 });
        let worker_a = [Grant {
            role: Role::CareWorker,
            scope: Scope::Service(a),
        }];
        let rm_r1 = [Grant {
            role: Role::RegionalManager,
            scope: Scope::Region(r1),
        }];
        let manager_a = [Grant {
            role: Role::RegisteredManager,
            scope: Scope::Service(a),
        }];
        assert!(in_audience(&worker_a, Scope::Service(a), region_of));
        assert!(in_audience(&worker_a, Scope::Region(r1), region_of));
        assert!(in_audience(&worker_a, Scope::Organisation, region_of));
        assert!(!in_audience(&worker_a, Scope::Service(b), region_of));
        assert!(!in_audience(&worker_a, Scope::Region(r2), region_of));
        assert!(in_audience(&rm_r1, Scope::Service(a), region_of));
        assert!(!in_audience(&rm_r1, Scope::Service(b), region_of));

        assert!(!may_publish(&worker_a, Scope::Service(a), region_of));
        assert!(may_publish(&manager_a, Scope::Service(a), region_of));
        assert!(!may_publish(&manager_a, Scope::Region(r1), region_of));
        assert!(!may_publish(&manager_a, Scope::Organisation, region_of));
        assert!(may_publish(&rm_r1, Scope::Region(r1), region_of));
        assert!(may_publish(&rm_r1, Scope::Service(a), region_of));
        assert!(!may_publish(&rm_r1, Scope::Service(b), region_of));
    }

    #[test]
    fn reminders_at_three_and_ten_days() {
        let p: Timestamp = "2026-11-23T09:30:00Z".parse().unwrap();
        let at = |h: i64| p.checked_add(SignedDuration::from_hours(h)).unwrap();
        assert!(reminders_due(p, at(71)).is_empty());
        assert_eq!(reminders_due(p, at(72)), [0]);
        assert_eq!(reminders_due(p, at(240)), [0, 1]);
    }

    proptest! {
        /// Reminders only accumulate as time passes.
        #[test]
        fn reminders_never_go_away(h in 0i64..1_000, more in 0i64..1_000) {
            let p: Timestamp = "2026-11-23T09:30:00Z".parse().unwrap();
            let at = |h: i64| p.checked_add(SignedDuration::from_hours(h)).unwrap();
            let before = reminders_due(p, at(h));
            let after = reminders_due(p, at(h + more));
            prop_assert!(before.iter().all(|i| after.contains(i)));
        }
    }
}
