//! Serious incident investigations: a lead and terms of reference, the
//! multi-disciplinary team meetings, a timeline of events, contributory
//! factors tagged from a framework (the Yorkshire Contributory Factors
//! Framework domains and the SEIPS work-system components are shipped; an
//! organisation may retire any and add its own), findings, and the
//! involvement of the person and their family (shared/domain.md §6, §8).

use crate::incident::london;
use crate::organisation::code_enum;
use crate::validation::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;

code_enum! {
    /// Where a contributory factor comes from.
    Framework {
        /// Yorkshire Contributory Factors Framework (Lawton et al., 2012).
        Ycff = ("ycff", "Yorkshire Contributory Factors Framework"),
        /// SEIPS work-system components.
        Seips = ("seips", "SEIPS work system"),
        /// The organisation's own.
        Local = ("local", "Our own factors"),
    }
}

code_enum! {
    /// Where an investigation stands.
    InvestigationStatus {
        /// Under way.
        Open = ("open", "Under way"),
        /// The report is complete.
        Completed = ("completed", "Completed"),
    }
}

/// The YCFF domains shipped (a reconstruction from the published review,
/// UNCONFIRMED against the current two-page framework: an organisation can
/// retire any and add its own). Codes are stable; labels are what people read.
pub const YCFF: &[(&str, &str)] = &[
    (
        "active_failures",
        "Active failures: slips, lapses, mistakes and violations",
    ),
    ("individual", "Individual staff factors"),
    ("team", "Team factors"),
    ("task", "Task characteristics"),
    ("person", "Factors about the person receiving care"),
    ("workload", "Workload and staffing"),
    ("leadership", "Leadership, supervision and roles"),
    ("supplies", "Medicines, equipment and supplies"),
    ("responsibility", "Lines of responsibility"),
    ("environment", "Physical environment"),
    ("central", "Support from central functions"),
    ("scheduling", "Scheduling and room management"),
    ("training", "Staff training and education"),
    ("policies", "Policies and procedures"),
    ("design", "Design of equipment, supplies and medicines"),
    ("national", "National policies"),
    ("communication", "Communication systems"),
    ("culture", "Safety culture"),
];

/// The SEIPS work-system components.
pub const SEIPS: &[(&str, &str)] = &[
    (
        "person",
        "Person: skills, knowledge, health and motivation of those involved",
    ),
    ("tasks", "Tasks: complexity, workload, time pressure"),
    ("tools", "Tools and technology, including their usability"),
    (
        "organisation",
        "Organisation: teamwork, communication, schedules, supervision, culture",
    ),
    (
        "internal_environment",
        "Internal environment: layout, noise, lighting, temperature",
    ),
    (
        "external_environment",
        "External environment: regulation, policy, commissioning",
    ),
];

/// A factor someone can tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorType {
    /// `ycff.workload`, `seips.tools`, `local.agency_induction`.
    pub code: String,
    /// Its framework.
    pub framework: Framework,
    /// What people read.
    pub label: String,
}

/// The shipped factors, YCFF first.
pub fn shipped_factors() -> Vec<FactorType> {
    let of = |framework: Framework, list: &[(&str, &str)]| {
        list.iter()
            .map(move |(code, label)| FactorType {
                code: format!("{}.{code}", framework.code()),
                framework,
                label: (*label).to_owned(),
            })
            .collect::<Vec<_>>()
    };
    let mut all = of(Framework::Ycff, YCFF);
    all.extend(of(Framework::Seips, SEIPS));
    all
}

/// The framework a factor code belongs to.
pub fn framework_of(code: &str) -> Option<Framework> {
    code.split_once('.').and_then(|(f, _)| Framework::parse(f))
}

/// The code for an organisation's own factor: `local.` and the label in
/// lower case, letters and digits joined by underscores.
pub fn local_code(label: &str) -> String {
    let slug: Vec<String> = label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("local.{}", slug.join("_"))
}

/// `INV-000012`.
pub fn investigation_reference(n: i64) -> String {
    format!("INV-{n:06}")
}

/// Reads `INV-000012`, `inv-12` or `12`.
pub fn parse_investigation_reference(s: &str) -> Option<i64> {
    crate::ids::parse_numbered("INV-", s)
}

use crate::validation::checked_text as text;

/// Opening an investigation, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpeningDraft {
    /// The lead investigator (a user id).
    pub lead: String,
    /// Terms of reference: what the investigation will look at, and what it will not.
    pub terms_of_reference: String,
}

/// An opening that passed every rule (the lead is checked against the service's staff by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    /// Lead investigator.
    pub lead: uuid::Uuid,
    /// Terms of reference.
    pub terms_of_reference: String,
}

impl OpeningDraft {
    /// Applies every rule.
    pub fn validate(&self) -> Result<Opening, FieldErrors> {
        let mut e = FieldErrors::new();
        let lead = self.lead.trim().parse::<uuid::Uuid>().ok();
        if lead.is_none() {
            e.add("lead", "Choose the lead investigator");
        }
        let terms = text(
            &mut e,
            "terms_of_reference",
            &self.terms_of_reference,
            10_000,
            Some("Write the terms of reference: what the investigation will look at"),
        );
        match lead {
            Some(lead) if e.is_empty() => Ok(Opening {
                lead,
                terms_of_reference: terms,
            }),
            _ => Err(e),
        }
    }
}

/// A meeting of the multi-disciplinary team, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeetingDraft {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// Attendees: (name, role or discipline) lines; blank lines are ignored.
    pub attendees: Vec<(String, String)>,
    /// What was discussed.
    pub discussion: String,
    /// What was decided.
    pub decisions: String,
}

/// A checked meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    /// When.
    pub held_on: Date,
    /// Who, with their role or discipline.
    pub attendees: Vec<(String, String)>,
    /// Discussion.
    pub discussion: String,
    /// Decisions.
    pub decisions: String,
}

impl MeetingDraft {
    /// Applies every rule; the meeting is between the incident and today (UK time).
    pub fn validate(&self, occurred_at: Timestamp, now: Timestamp) -> Result<Meeting, FieldErrors> {
        let mut e = FieldErrors::new();
        let held_on = self.held_on.trim().parse::<Date>().ok();
        let (first, today) = (
            occurred_at.to_zoned(london()).date(),
            now.to_zoned(london()).date(),
        );
        match held_on {
            None => e.add("held_on", "Enter the date of the meeting, like 23/11/2026"),
            Some(d) if d > today => e.add(
                "held_on",
                "The meeting cannot be in the future: record it once it has happened",
            ),
            Some(d) if d < first => e.add("held_on", "The meeting cannot be before the incident"),
            Some(_) => {}
        }
        let mut attendees = Vec::new();
        for (name, role) in &self.attendees {
            let (name, role) = (name.trim(), role.trim());
            match (name.is_empty(), role.is_empty()) {
                (true, true) => {}
                (false, true) => e.add(
                    "attendees",
                    format!("Say what {name} does (their role or discipline)"),
                ),
                (true, false) => e.add("attendees", format!("Give the name of the {role}")),
                (false, false) if name.chars().count() > 200 || role.chars().count() > 200 => e
                    .add(
                        "attendees",
                        "Keep each name and role to 200 characters or fewer",
                    ),
                (false, false) => attendees.push((name.to_owned(), role.to_owned())),
            }
        }
        if attendees.is_empty() && e.for_field("attendees").is_none() {
            e.add(
                "attendees",
                "Add who attended, with their role or discipline",
            );
        }
        let discussion = text(
            &mut e,
            "discussion",
            &self.discussion,
            20_000,
            Some("Write what was discussed"),
        );
        let decisions = text(
            &mut e,
            "decisions",
            &self.decisions,
            20_000,
            Some("Write what was decided, or that nothing was"),
        );
        match held_on {
            Some(held_on) if e.is_empty() => Ok(Meeting {
                held_on,
                attendees,
                discussion,
                decisions,
            }),
            _ => Err(e),
        }
    }
}

/// A timeline entry, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDraft {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, UK time; blank if not known.
    pub time: String,
    /// What happened.
    pub what: String,
    /// Where it is known from (a record, a statement), optional.
    pub source: String,
}

/// A checked timeline entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When, UK time: the date and, if known, the time.
    pub on: Date,
    /// The time, if known.
    pub at: Option<jiff::civil::Time>,
    /// What happened.
    pub what: String,
    /// Where it is known from.
    pub source: String,
}

impl Event {
    /// The moment, for ordering: the time given, or the start of the day.
    pub fn sort_key(&self) -> jiff::civil::DateTime {
        self.on
            .to_datetime(self.at.unwrap_or(jiff::civil::Time::midnight()))
    }
}

impl EventDraft {
    /// Applies every rule; events may be before the incident (the background) but not in the future.
    pub fn validate(&self, now: Timestamp) -> Result<Event, FieldErrors> {
        let mut e = FieldErrors::new();
        let on = self.date.trim().parse::<Date>().ok();
        let at = match self.time.trim() {
            "" => Ok(None),
            t => t.parse::<jiff::civil::Time>().map(Some).map_err(|_| ()),
        };
        let today = now.to_zoned(london());
        match (on, &at) {
            (None, _) => e.add("event_date", "Enter the date it happened, like 23/11/2026"),
            (_, Err(())) => e.add(
                "event_time",
                "Enter the time like 14:30, or leave it blank if not known",
            ),
            (Some(d), Ok(t)) => {
                let later_today = d == today.date() && t.is_some_and(|t| t > today.time());
                if d > today.date() || later_today {
                    e.add("event_date", "It cannot be in the future");
                }
            }
        }
        let what = text(&mut e, "what", &self.what, 4_000, Some("Say what happened"));
        let source = text(&mut e, "source", &self.source, 500, None);
        match (on, at) {
            (Some(on), Ok(at)) if e.is_empty() => Ok(Event {
                on,
                at,
                what,
                source,
            }),
            _ => Err(e),
        }
    }
}

/// A contributory factor, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactorDraft {
    /// The factor's code.
    pub factor: String,
    /// How it contributed.
    pub note: String,
    /// The evidence for it (records, statements, observations).
    pub evidence: String,
}

/// A checked factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// The factor's code.
    pub code: String,
    /// How it contributed.
    pub note: String,
    /// The evidence.
    pub evidence: String,
}

impl FactorDraft {
    /// Applies every rule against the factors the organisation uses.
    pub fn validate(&self, available: &[FactorType]) -> Result<Factor, FieldErrors> {
        let mut e = FieldErrors::new();
        let code = self.factor.trim();
        if !available.iter().any(|f| f.code == code) {
            e.add("factor", "Choose a contributory factor from the list");
        }
        let note = text(
            &mut e,
            "factor_note",
            &self.note,
            4_000,
            Some("Say how it contributed"),
        );
        let evidence = text(&mut e, "evidence", &self.evidence, 4_000, None);
        e.into_result(Factor {
            code: code.to_owned(),
            note,
            evidence,
        })
    }
}

/// Findings and the involvement of the person and family, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindingsDraft {
    /// What the investigation found, in plain words.
    pub findings: String,
    /// The questions the person or family want answered.
    pub family_questions: String,
    /// Their account of what happened.
    pub family_account: String,
}

/// Checked findings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Findings.
    pub findings: String,
    /// Their questions.
    pub family_questions: String,
    /// Their account.
    pub family_account: String,
}

impl FindingsDraft {
    /// Applies every rule (each part may be written over several sittings, so none is required here).
    pub fn validate(&self) -> Result<Findings, FieldErrors> {
        let mut e = FieldErrors::new();
        let findings = text(&mut e, "findings", &self.findings, 40_000, None);
        let family_questions = text(
            &mut e,
            "family_questions",
            &self.family_questions,
            10_000,
            None,
        );
        let family_account = text(&mut e, "family_account", &self.family_account, 20_000, None);
        e.into_result(Findings {
            findings,
            family_questions,
            family_account,
        })
    }
}

/// What completing an investigation depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompletionFacts {
    /// Meetings of the team recorded.
    pub meetings: usize,
    /// Timeline entries.
    pub events: usize,
    /// Contributory factors tagged.
    pub factors: usize,
    /// Findings written.
    pub has_findings: bool,
    /// The involvement of the person or family is recorded (their
    /// questions or account here, or openness records on the incident).
    pub has_involvement: bool,
    /// Actions from the investigation (any status).
    pub actions: usize,
}

/// Why the investigation cannot be completed yet, in words; empty when it can.
pub fn completion_gaps(f: CompletionFacts) -> Vec<String> {
    let mut gaps = Vec::new();
    if f.meetings == 0 {
        gaps.push("Record at least one meeting of the multi-disciplinary team".to_owned());
    }
    if f.events == 0 {
        gaps.push("Add the timeline of events".to_owned());
    }
    if f.factors == 0 {
        gaps.push("Tag the contributory factors found".to_owned());
    }
    if !f.has_findings {
        gaps.push("Write the findings".to_owned());
    }
    if !f.has_involvement {
        gaps.push("Record how the person or their family were involved: their questions, their account, or what they were told".to_owned());
    }
    if f.actions == 0 {
        gaps.push("Add at least one safety action, or record in the findings why none is needed and add an action to share the learning".to_owned());
    }
    gaps
}

#[cfg(test)]
#[path = "investigation_tests.rs"]
mod tests;
