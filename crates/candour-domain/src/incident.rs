//! Incidents, near misses and good-practice reports: their kinds, categories,
//! references and the rules a new report must pass.

use crate::details::{Details, RawDetails, validate_details};
use crate::ids::{AreaId, PersonId, ServiceId};
pub use crate::involvement::InvolvementRole;
use crate::involvement::{Involved, parse_involved};
use crate::organisation::code_enum;
use crate::validation::FieldErrors;
use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;

code_enum! {
    /// What sort of event is being reported.
    EventKind {
        /// Harm happened or may have happened.
        Incident = ("incident", "Incident"),
        /// Caught before it reached the person.
        NearMiss = ("near_miss", "Near miss"),
        /// Something that went well and should be repeated.
        GoodPractice = ("good_practice", "Good practice"),
    }
}

code_enum! {
    /// The category of an event. Each later gains its own detail questions.
    Category {
        /// A fall, witnessed or found on the floor.
        Fall = ("fall", "Fall"),
        /// A medication error or near miss.
        Medication = ("medication", "Medication"),
        /// Behaviour or distress.
        Behaviour = ("behaviour", "Behaviour or distress"),
        /// Pressure ulcer or other skin damage.
        PressureUlcer = ("pressure_ulcer", "Pressure ulcer or skin damage"),
        /// A safeguarding concern.
        Safeguarding = ("safeguarding", "Safeguarding concern"),
        /// Equipment.
        Equipment = ("equipment", "Equipment"),
        /// Environment or premises.
        Environment = ("environment", "Environment or premises"),
        /// Infection.
        Infection = ("infection", "Infection"),
        /// Choking.
        Choking = ("choking", "Choking"),
        /// Missing person.
        MissingPerson = ("missing_person", "Missing person"),
        /// Self-harm.
        SelfHarm = ("self_harm", "Self-harm"),
        /// Death.
        Death = ("death", "Death"),
        /// Injury to or violence against staff.
        StaffInjury = ("staff_injury", "Staff injury or violence to staff"),
        /// Personal data breach.
        DataBreach = ("data_breach", "Data breach"),
        /// Anything else.
        Other = ("other", "Other"),
    }
}

code_enum! {
    /// Where a report is in its life (moves in `crate::workflow`).
    IncidentStatus {
        /// Reported and waiting for triage.
        Reported = ("reported", "Reported"),
        /// Graded and a learning response chosen.
        Triaged = ("triaged", "Triaged"),
        /// Being reviewed.
        UnderReview = ("under_review", "Under review"),
        /// Under serious incident investigation.
        UnderInvestigation = ("under_investigation", "Under investigation"),
        /// Review done; waiting for a manager to sign it off.
        AwaitingSignOff = ("awaiting_sign_off", "Awaiting sign-off"),
        /// Signed off and closed.
        Closed = ("closed", "Closed"),
    }
}

code_enum! {
    /// Who had been told by the time of the report.
    Told {
        /// Family or representative.
        Family = ("family", "Family or representative"),
        /// The person's GP.
        Gp = ("gp", "GP"),
        /// NHS 111 or 999.
        Emergency = ("nhs_111_or_999", "111 or 999"),
        /// The on-call manager.
        OnCall = ("on_call_manager", "On-call manager"),
        /// The police.
        Police = ("police", "Police"),
    }
}

code_enum! {
    /// What an addition to a submitted report is.
    AddendumKind {
        /// Something the reporter (or a reviewer) adds later.
        Addendum = ("addendum", "Addendum"),
        /// A reviewer asks the reporter to correct or clarify.
        CorrectionRequest = ("correction_request", "Correction requested"),
        /// The reporter's answer to a correction request.
        Correction = ("correction", "Correction"),
    }
}

/// Longest addendum, request or correction accepted.
pub const MAX_ADDENDUM: usize = 10_000;

/// Checks the text of an addendum, request or correction.
pub fn check_addendum_text(text: &str) -> Result<String, FieldErrors> {
    let t = text.trim();
    let mut e = FieldErrors::new();
    if t.is_empty() {
        e.add("text", "Write what you want to add");
    } else if t.chars().count() > MAX_ADDENDUM {
        e.add(
            "text",
            format!("Keep it to {MAX_ADDENDUM} characters or fewer"),
        );
    }
    e.into_result(t.to_owned())
}

/// A human-readable incident reference such as `INC-000123`, unique in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentReference(pub i64);

impl IncidentReference {
    /// Parses `INC-000123`, `inc-123` or `123`.
    pub fn parse(input: &str) -> Option<IncidentReference> {
        let s = input.trim();
        let digits = s
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("INC-"))
            .map_or(s, |_| &s[4..]);
        if digits.is_empty() || digits.len() > 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        digits
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .map(IncidentReference)
    }
}

impl std::fmt::Display for IncidentReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "INC-{:06}", self.0)
    }
}

impl Serialize for IncidentReference {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Longest description accepted (about four pages of text).
pub const MAX_DESCRIPTION: usize = 20_000;
/// Longest "what was done straight away" accepted.
pub const MAX_IMMEDIATE_ACTIONS: usize = 10_000;
/// How far ahead of the server clock a time may be (phones drift).
const FUTURE_TOLERANCE_SECONDS: i64 = 5 * 60;
/// How long ago an event may be reported as having happened (an editable
/// default; an older event is recorded by a manager, not through this form).
pub const MAX_AGE_DAYS: i64 = 2 * 365;

/// A report as submitted, before any rule has been applied. Every field is
/// text, as it arrives from a form or JSON, so nothing typed is lost when the
/// form is shown again with errors.
#[derive(Debug, Clone, Default)]
pub struct ReportDraft {
    /// `incident`, `near_miss` or `good_practice`.
    pub kind: String,
    /// A [`Category`] code.
    pub category: String,
    /// The service the event happened in.
    pub service_id: String,
    /// Optional area within the service.
    pub area_id: String,
    /// When it happened: either RFC 3339 in `occurred_at`, or a local date and time.
    pub occurred_at: String,
    /// Local date `YYYY-MM-DD` (Europe/London), used when `occurred_at` is empty.
    pub occurred_date: String,
    /// Local time `HH:MM` (Europe/London), used when `occurred_at` is empty.
    pub occurred_time: String,
    /// What happened.
    pub description: String,
    /// What was done straight away.
    pub immediate_actions: String,
    /// People using the service who were affected.
    pub affected_person_ids: Vec<String>,
    /// Witnesses, staff and others from the register or staff list, as
    /// typed (who, role) lines: `person:<id>` or `staff:<id>`, and a role code.
    pub involved: Vec<(String, String)>,
    /// Anyone else involved, as free text (visitor, relative, other).
    pub others_involved: String,
    /// The category's own questions, as typed (see [`crate::details`]).
    pub details: RawDetails,
    /// Codes of who has been told ([`Told`]).
    pub told: Vec<String>,
    /// When the reporter wrote it (RFC 3339), if it was queued before sending.
    pub written_at: String,
    /// The staff member (user id) this is reported for, when someone else enters it.
    pub on_behalf_of: String,
    /// The saved draft (id) this report completes: removed when the report
    /// is filed. Not part of the report itself.
    pub draft_id: String,
}

/// A report that has passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewIncident {
    /// The kind of event.
    pub kind: EventKind,
    /// Its category.
    pub category: Category,
    /// The service it happened in.
    pub service_id: ServiceId,
    /// The area, when given.
    pub area_id: Option<AreaId>,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// What happened.
    pub description: String,
    /// What was done straight away (may be empty for good practice).
    pub immediate_actions: String,
    /// People using the service who were affected.
    pub affected: Vec<PersonId>,
    /// Witnesses, staff and others involved, with their parts.
    pub involved: Vec<Involved>,
    /// Others involved, free text.
    pub others_involved: String,
    /// The category's own answers.
    pub details: Details,
    /// Who has been told, without repeats.
    pub told: Vec<Told>,
    /// When it was written, if that was before it reached the server.
    pub written_at: Option<Timestamp>,
}

impl ReportDraft {
    /// Applies every rule. `now` is the server's clock; times are read in Europe/London.
    pub fn validate(&self, now: Timestamp) -> Result<NewIncident, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = EventKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add(
                "kind",
                "Choose whether this is an incident, a near miss or good practice",
            );
        }
        let category = Category::parse(self.category.trim());
        if category.is_none() {
            errors.add("category", "Choose what sort of event this was");
        }
        let service_id = self.service_id.trim().parse::<ServiceId>().ok();
        if service_id.is_none() {
            errors.add("service_id", "Choose the service where it happened");
        }
        let area_id = match self.area_id.trim() {
            "" => None,
            s => match s.parse::<AreaId>() {
                Ok(a) => Some(a),
                Err(_) => {
                    errors.add("area_id", "Choose an area from the list, or leave it blank");
                    None
                }
            },
        };
        let occurred_at = self.occurred_at(now, &mut errors);
        let description = self.description.trim().to_owned();
        if description.is_empty() {
            errors.add("description", "Describe what happened");
        } else if description.chars().count() > MAX_DESCRIPTION {
            errors.add(
                "description",
                format!("Description must be {MAX_DESCRIPTION} characters or fewer"),
            );
        }
        let immediate_actions = self.immediate_actions.trim().to_owned();
        if immediate_actions.chars().count() > MAX_IMMEDIATE_ACTIONS {
            errors.add(
                "immediate_actions",
                format!("What was done straight away must be {MAX_IMMEDIATE_ACTIONS} characters or fewer"),
            );
        } else if immediate_actions.is_empty() && kind == Some(EventKind::Incident) {
            errors.add(
                "immediate_actions",
                "Say what was done straight away, even if it was only to call for help",
            );
        }
        let mut affected = Vec::new();
        for raw in self
            .affected_person_ids
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<PersonId>() {
                Ok(p) if !affected.contains(&p) => affected.push(p),
                Ok(_) => {}
                Err(_) => errors.add(
                    "affected_person_ids",
                    "Choose people from the list of people using the service",
                ),
            }
        }
        let involved = match parse_involved(&self.involved) {
            Ok(v) => v,
            Err(e) => {
                errors.0.extend(e.0);
                Vec::new()
            }
        };
        let details = match category {
            Some(c) => match validate_details(c, &self.details, now) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.0.extend(e.nested_in("/details").0);
                    None
                }
            },
            None => None,
        };
        let mut told = Vec::new();
        for code in self.told.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            match Told::parse(code) {
                Some(t) if !told.contains(&t) => told.push(t),
                Some(_) => {}
                None => errors.add("told", "Choose who has been told from the list"),
            }
        }
        let written_at = match self.written_at.trim() {
            "" => None,
            s => match s.parse::<Timestamp>() {
                Ok(t) if t.as_second() > now.as_second() + FUTURE_TOLERANCE_SECONDS => {
                    errors.add("written_at", "The time the report was written must not be in the future: check the phone's clock");
                    None
                }
                Ok(t) if occurred_at.is_some_and(|o| t < o) => {
                    errors.add(
                        "written_at",
                        "The report cannot have been written before it happened",
                    );
                    None
                }
                Ok(t) => Some(t),
                Err(_) => {
                    errors.add(
                        "written_at",
                        "Give the time it was written as an RFC 3339 timestamp",
                    );
                    None
                }
            },
        };
        let others_involved = self.others_involved.trim().to_owned();
        if others_involved.chars().count() > 2_000 {
            errors.add(
                "others_involved",
                "Others involved must be 2000 characters or fewer",
            );
        }
        match (kind, category, service_id, occurred_at, details) {
            (Some(kind), Some(category), Some(service_id), Some(occurred_at), Some(details))
                if errors.is_empty() =>
            {
                Ok(NewIncident {
                    kind,
                    category,
                    service_id,
                    area_id,
                    occurred_at,
                    description,
                    immediate_actions,
                    affected,
                    involved,
                    others_involved,
                    details,
                    told,
                    written_at,
                })
            }
            _ => Err(errors),
        }
    }

    fn occurred_at(&self, now: Timestamp, errors: &mut FieldErrors) -> Option<Timestamp> {
        let at = if !self.occurred_at.trim().is_empty() {
            match self.occurred_at.trim().parse::<Timestamp>() {
                Ok(t) => t,
                Err(_) => {
                    errors.add("occurred_at", "Give the time it happened as an RFC 3339 timestamp, like 2026-11-22T14:30:00Z");
                    return None;
                }
            }
        } else {
            let date = self.occurred_date.trim().parse::<jiff::civil::Date>();
            let time = self.occurred_time.trim().parse::<jiff::civil::Time>();
            match (date, time) {
                (Err(_), _) => {
                    errors.add(
                        "occurred_date",
                        "Enter the date it happened, like 22/11/2026",
                    );
                    return None;
                }
                (_, Err(_)) => {
                    errors.add("occurred_time", "Enter the time it happened, like 14:30");
                    return None;
                }
                (Ok(d), Ok(t)) => match london()
                    .to_ambiguous_timestamp(d.to_datetime(t))
                    .compatible()
                {
                    Ok(ts) => ts,
                    Err(_) => {
                        errors.add(
                            "occurred_time",
                            "That time does not exist in UK time: check the clocks-change day",
                        );
                        return None;
                    }
                },
            }
        };
        if at.as_second() < now.as_second() - MAX_AGE_DAYS * 86_400 {
            let field = if self.occurred_at.trim().is_empty() {
                "occurred_date"
            } else {
                "occurred_at"
            };
            errors.add(field, "That is more than two years ago: check the year. An older event is recorded by a manager.");
            return None;
        }
        if at.as_second() > now.as_second() + FUTURE_TOLERANCE_SECONDS {
            let field = if self.occurred_at.trim().is_empty() {
                "occurred_date"
            } else {
                "occurred_at"
            };
            errors.add(field, "The time it happened must not be in the future");
            return None;
        }
        Some(at)
    }
}

impl ReportDraft {
    /// A hash of everything submitted, so a retried submission can be told
    /// apart from a different report sent with the same idempotency key.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        let mut people = self.affected_person_ids.clone();
        people.sort();
        let mut involved: Vec<String> = self
            .involved
            .iter()
            .map(|(w, r)| format!("{}={}", w.trim(), r.trim()))
            .collect();
        involved.sort();
        for part in [
            &self.kind,
            &self.category,
            &self.service_id,
            &self.area_id,
            &self.occurred_at,
            &self.occurred_date,
            &self.occurred_time,
            &self.description,
            &self.immediate_actions,
            &people.join(","),
            &involved.join(","),
            &self.others_involved,
            &serde_json::to_string(&self.details).unwrap_or_default(),
            &self.told.join(","),
            &self.written_at,
            &self.on_behalf_of,
        ] {
            let part = part.trim();
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// Checks a client's idempotency key: 1 to 200 visible ASCII characters.
pub fn check_idempotency_key(key: &str) -> Result<(), &'static str> {
    if !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err("The Idempotency-Key must be 1 to 200 visible characters, such as a UUID")
    }
}

/// The Europe/London time zone (bundled, so a slim server without tzdata still works).
pub fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC)
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
