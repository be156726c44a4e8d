//! Lessons-learned meetings (issue 6): monthly per service, and urgent after
//! an incident graded severe or fatal or sent to a serious investigation
//! (held within 5 working days). The agenda builds itself from what happened
//! since the last meeting; the chair edits it; attendance, minutes and
//! decisions are recorded, and published minutes are evidence.

use crate::calendar::Calendar;
use crate::triage::{LearningResponse, PhysicalHarm};
use crate::validation::{FieldErrors, checked_text};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

/// Working days within which an urgent meeting is held.
pub const URGENT_WORKING_DAYS: u32 = 5;

/// Monthly or urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingKind {
    /// The service's monthly meeting.
    Monthly,
    /// After a severe or fatal incident, or one sent to a serious investigation.
    Urgent,
}

impl MeetingKind {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Monthly => "monthly",
            MeetingKind::Urgent => "urgent",
        }
    }

    /// Reads a stored code.
    pub fn parse(s: &str) -> Option<MeetingKind> {
        match s {
            "monthly" => Some(MeetingKind::Monthly),
            "urgent" => Some(MeetingKind::Urgent),
            _ => None,
        }
    }

    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::Monthly => "Monthly lessons-learned meeting",
            MeetingKind::Urgent => "Urgent lessons-learned meeting",
        }
    }
}

/// Whether an incident's grading calls for an urgent meeting.
pub fn calls_for_urgent_meeting(
    physical: Option<PhysicalHarm>,
    response: Option<LearningResponse>,
) -> bool {
    matches!(physical, Some(PhysicalHarm::Severe | PhysicalHarm::Fatal))
        || response == Some(LearningResponse::SeriousInvestigation)
}

/// The day by which an urgent meeting is held: 5 working days after the
/// day the incident was graded.
pub fn urgent_by(cal: &Calendar, graded_on: Date) -> Date {
    cal.add_working_days(graded_on, URGENT_WORKING_DAYS)
}

/// A meeting as typed when it is arranged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingDraft {
    /// `monthly` or `urgent`.
    pub kind: String,
    /// Date, `YYYY-MM-DD`.
    pub date: String,
    /// Start, `HH:MM` UK time.
    pub time: String,
    /// Where, or the link for those joining online.
    pub location: String,
    /// Who chairs it.
    pub chair: String,
    /// For an urgent meeting: the incident's reference.
    pub incident: String,
}

/// A meeting ready to arrange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    /// Kind.
    pub kind: MeetingKind,
    /// When it starts, UK time.
    pub starts: DateTime,
    /// Where.
    pub location: String,
    /// Chair.
    pub chair: String,
    /// The incident behind an urgent meeting.
    pub incident: Option<crate::incident::IncidentReference>,
}

impl MeetingDraft {
    /// The meeting, or each field that is wrong by name.
    pub fn validate(&self) -> Result<NewMeeting, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = MeetingKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "Choose a monthly or an urgent meeting");
        }
        let date = self.date.trim().parse::<Date>().ok();
        if date.is_none() {
            e.add("date", "Enter the date of the meeting, such as 2026-12-03");
        }
        let time = crate::details::hh_mm(self.time.trim())
            .and_then(|t| t.parse::<jiff::civil::Time>().ok());
        if time.is_none() {
            e.add("time", "Enter the time it starts, such as 14:00");
        }
        let location = checked_text(
            &mut e,
            "location",
            &self.location,
            200,
            Some("Say where it is held, or how to join online"),
        );
        let chair = checked_text(&mut e, "chair", &self.chair, 120, Some("Say who chairs it"));
        let incident = crate::incident::IncidentReference::parse(self.incident.trim());
        if kind == Some(MeetingKind::Urgent) && incident.is_none() {
            e.add(
                "incident",
                "Enter the reference of the incident the urgent meeting is about, such as INC-000123",
            );
        }
        match (kind, date, time, e.is_empty()) {
            (Some(kind), Some(d), Some(t), true) => Ok(NewMeeting {
                kind,
                starts: d.to_datetime(t),
                location,
                chair,
                incident: if kind == MeetingKind::Urgent {
                    incident
                } else {
                    None
                },
            }),
            _ => Err(e),
        }
    }
}

/// What the agenda is built from: everything since the last meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgendaInputs {
    /// The day the period starts (the last meeting, or a month before).
    pub since: String,
    /// For an urgent meeting: the incident, in a line.
    pub urgent: Option<String>,
    /// Per category: (label, incidents, near misses).
    pub by_category: Vec<(String, u32, u32)>,
    /// Investigations completed in the period: a line each with their findings.
    pub investigations: Vec<String>,
    /// Actions past their due date: a line each.
    pub overdue_actions: Vec<String>,
    /// Lessons shared in the period: a line each.
    pub lessons: Vec<String>,
    /// External guidance and safety alerts received in the period, a line
    /// each (`None` leaves the item out, for a caller with no register).
    pub alerts: Option<Vec<String>>,
}

/// The agenda as text the chair edits: numbered items, each with its lines.
pub fn agenda(i: &AgendaInputs) -> String {
    let mut items: Vec<(String, Vec<String>)> =
        vec![("Welcome, attendance and apologies".to_owned(), Vec::new())];
    if let Some(u) = &i.urgent {
        items.push((
            "The incident this urgent meeting is about".to_owned(),
            vec![u.clone()],
        ));
    }
    let none = |v: &[String], what: &str| {
        if v.is_empty() {
            vec![format!("None {what}.")]
        } else {
            v.to_vec()
        }
    };
    let counts: Vec<String> = i
        .by_category
        .iter()
        .map(|(label, n, near)| {
            let plural =
                |n: u32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
            format!(
                "{label}: {}, {}",
                plural(*n, "incident", "incidents"),
                plural(*near, "near miss", "near misses")
            )
        })
        .collect();
    items.push((
        format!("Incidents and near misses since {}", i.since),
        none(&counts, "reported"),
    ));
    items.push((
        "Investigations completed and what they found".to_owned(),
        none(&i.investigations, "completed"),
    ));
    items.push((
        "Overdue actions".to_owned(),
        none(&i.overdue_actions, "overdue"),
    ));
    items.push(("Lessons shared".to_owned(), none(&i.lessons, "shared")));
    if let Some(alerts) = &i.alerts {
        items.push((
            "External guidance and safety alerts".to_owned(),
            none(alerts, "received"),
        ));
    }
    items.push((
        "What we will change, and who will do it".to_owned(),
        Vec::new(),
    ));
    items.push(("Any other business".to_owned(), Vec::new()));
    let mut out = String::new();
    for (n, (heading, lines)) in items.iter().enumerate() {
        out.push_str(&format!("{}. {heading}\n", n + 1));
        for l in lines {
            out.push_str(&format!("   - {l}\n"));
        }
    }
    out
}

/// Whether the meeting has started by `now` (minutes may only be published then).
pub fn has_started(starts_at: Timestamp, now: Timestamp) -> bool {
    starts_at <= now
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::organisation::Nation;

    #[test]
    fn severe_harm_or_a_serious_investigation_calls_for_an_urgent_meeting() {
        assert!(calls_for_urgent_meeting(Some(PhysicalHarm::Severe), None));
        assert!(calls_for_urgent_meeting(Some(PhysicalHarm::Fatal), None));
        assert!(calls_for_urgent_meeting(
            Some(PhysicalHarm::Low),
            Some(LearningResponse::SeriousInvestigation)
        ));
        assert!(!calls_for_urgent_meeting(
            Some(PhysicalHarm::Moderate),
            Some(LearningResponse::LocalReview)
        ));
        assert!(!calls_for_urgent_meeting(None, None));
    }

    #[test]
    fn an_urgent_meeting_is_due_within_five_working_days() {
        let cal = Calendar::new(Nation::EnglandAndWales, []);
        // Graded Friday 18 Dec 2026: Christmas and Boxing Day (moved to Monday 28th) are not working days.
        let by = urgent_by(&cal, "2026-12-18".parse().unwrap());
        assert_eq!(by, "2026-12-29".parse::<Date>().unwrap());
        let by = urgent_by(&cal, "2026-11-23".parse().unwrap());
        assert_eq!(by, "2026-11-30".parse::<Date>().unwrap());
    }

    #[test]
    fn a_meeting_is_checked_field_by_field() {
        let ok = MeetingDraft {
            kind: "urgent".into(),
            date: "2026-11-26".into(),
            time: "14:00".into(),
            location: "Lounge".into(),
            chair: "Registered manager".into(),
            incident: "INC-000004".into(),
        };
        let m = ok.validate().unwrap();
        assert_eq!(m.kind, MeetingKind::Urgent);
        assert_eq!(m.incident.map(|r| r.0), Some(4));
        let bad = MeetingDraft {
            date: "Thursday".into(),
            time: "2pm".into(),
            chair: " ".into(),
            incident: String::new(),
            ..ok.clone()
        };
        let fields: Vec<String> = bad
            .validate()
            .err()
            .unwrap()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["date", "time", "chair", "incident"]);
        let monthly = MeetingDraft {
            kind: "monthly".into(),
            incident: String::new(),
            ..ok
        };
        assert_eq!(monthly.validate().unwrap().incident, None);
    }

    #[test]
    fn the_agenda_builds_itself_from_the_period() {
        let text = agenda(&AgendaInputs {
            since: "26 Oct 2026".into(),
            urgent: None,
            by_category: vec![("Fall".into(), 3, 1), ("Medication".into(), 1, 0)],
            investigations: vec![],
            overdue_actions: vec!["ACT-000002 Replace bed rails (due 20 Nov 2026)".into()],
            lessons: vec!["Sensor mats after cleaning".into()],
            alerts: Some(vec![]),
        });
        assert!(text.starts_with("1. Welcome, attendance and apologies\n"));
        assert!(text.contains("2. Incidents and near misses since 26 Oct 2026\n   - Fall: 3 incidents, 1 near miss\n   - Medication: 1 incident, 0 near misses\n"));
        assert!(
            text.contains(
                "3. Investigations completed and what they found\n   - None completed.\n"
            )
        );
        assert!(text.contains("   - ACT-000002 Replace bed rails (due 20 Nov 2026)\n"));
        assert!(text.contains("6. External guidance and safety alerts\n   - None received.\n"));
        assert!(text.ends_with("8. Any other business\n"));
        let urgent = agenda(&AgendaInputs {
            urgent: Some("INC-000004: fall, severe harm".into()),
            ..AgendaInputs::default()
        });
        assert!(urgent.contains(
            "2. The incident this urgent meeting is about\n   - INC-000004: fall, severe harm\n"
        ));
        assert!(urgent.contains("   - None reported.\n"));
        assert!(!urgent.contains("safety alerts"), "no register, no item");
    }
}
