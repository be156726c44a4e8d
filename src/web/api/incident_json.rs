//! The JSON shapes of `/api/v1/incidents`: what a client sends and what it
//! gets back, with the conversions from the actions' read models.

use crate::actions::incidents::IncidentView;
use crate::store::addenda::Addendum;
use crate::store::feedback::Feedback;
use crate::store::incidents::IncidentSummary;
use candour_domain::details::RawDetails;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// `incident`, `near_miss` or `good_practice`.
    pub kind: String,
    /// Category code, such as `fall` or `medication`.
    pub category: String,
    /// The service it happened in.
    pub service_id: String,
    /// Area within the service.
    pub area_id: Option<String>,
    /// When it happened, RFC 3339 (for example `2026-11-22T14:30:00Z`).
    pub occurred_at: String,
    /// What happened.
    pub description: String,
    /// What was done straight away (required for incidents).
    pub immediate_actions: Option<String>,
    /// People using the service who were affected.
    #[serde(default)]
    pub affected_person_ids: Vec<String>,
    /// Witnesses, staff and others involved: each names a person using the
    /// service (`person_id`) or a member of staff (`user_id`), and their part.
    #[serde(default)]
    pub involved: Vec<InvolvedRequest>,
    /// Anyone else involved, free text.
    pub others_involved: Option<String>,
    /// The category's own answers, by question name: for a fall `seen`,
    /// `head_struck`, `anticoagulant` (required) and more; see the report form.
    /// Values are strings (codes), lists of strings, booleans or numbers.
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
    /// Who has been told: any of `family`, `gp`, `nhs_111_or_999`, `on_call_manager`, `police`.
    #[serde(default)]
    pub told: Vec<String>,
    /// When the report was written, RFC 3339, if it was queued before sending.
    pub written_at: Option<String>,
    /// Enter it for a colleague (their user id): for senior carers and managers
    /// of the service, such as a central team taking a phone call.
    pub on_behalf_of: Option<String>,
}

/// Someone involved: give exactly one of `person_id` and `user_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvolvedRequest {
    /// A person using the service (from the register).
    pub person_id: Option<String>,
    /// A member of staff (their user id).
    pub user_id: Option<String>,
    /// `witness`, `alleged_perpetrator`, `affected` or `staff_involved` (staff only).
    pub role: String,
}

impl InvolvedRequest {
    /// The (who, role) line the domain checks; both ids or neither is a line
    /// the domain refuses with a message naming `involved`.
    pub(crate) fn line(self) -> (String, String) {
        let who = match (self.person_id, self.user_id) {
            (Some(p), None) => format!("person:{}", p.trim()),
            (None, Some(u)) => format!("staff:{}", u.trim()),
            (Some(_), Some(_)) => "both:".to_owned(),
            (None, None) => String::new(),
        };
        (who, self.role)
    }
}

/// Turns JSON answers into the raw answers the domain validates.
pub(crate) fn raw_details(map: Option<serde_json::Map<String, serde_json::Value>>) -> RawDetails {
    use serde_json::Value;
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    map.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| {
            let values = match &v {
                Value::Array(items) => items.iter().filter_map(one).collect(),
                other => one(other).into_iter().collect(),
            };
            (k, values)
        })
        .collect()
}

/// A person recorded against an incident (by internal code, not name).
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonJson {
    /// Id.
    pub person_id: String,
    /// Internal code.
    pub internal_code: String,
    /// `affected`, `witness`, `alleged_perpetrator` or `staff_involved`.
    pub role: String,
}

/// A member of staff recorded against an incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffJson {
    /// Their user id.
    pub user_id: String,
    /// Their name.
    pub name: String,
    /// `witness`, `staff_involved`, `affected` or `alleged_perpetrator`.
    pub role: String,
}

/// An incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentJson {
    /// Reference such as `INC-000123`.
    pub reference: String,
    /// Kind code.
    pub kind: String,
    /// Category code.
    pub category: String,
    /// Status code.
    pub status: String,
    /// Service id.
    pub service_id: String,
    /// Service name.
    pub service_name: String,
    /// Area id.
    pub area_id: Option<String>,
    /// Area name.
    pub area_name: Option<String>,
    /// When it happened (RFC 3339, UTC).
    pub occurred_at: String,
    /// When it was reported (RFC 3339, UTC).
    pub reported_at: String,
    /// What happened.
    pub description: String,
    /// What was done straight away.
    pub immediate_actions: String,
    /// Others involved.
    pub others_involved: String,
    /// People using the service recorded, by internal code.
    pub people: Vec<PersonJson>,
    /// Staff recorded.
    pub staff: Vec<StaffJson>,
    /// Version, from 1; rises with every change.
    pub version: i64,
    /// Addenda, correction requests and corrections, oldest first.
    pub addenda: Vec<AddendumJson>,
    /// The category's answers, with `category` naming which questions they answer.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// Who had been told when it was reported (codes).
    pub told: Vec<String>,
    /// When it was written, if it was queued before sending (RFC 3339, UTC).
    pub written_at: Option<String>,
    /// Photos and documents added to it.
    pub attachments: Vec<AttachmentJson>,
    /// Feedback to the reporter, oldest first.
    pub feedback: Vec<FeedbackJson>,
    /// Whole minutes from the report to its first feedback; absent until given.
    pub minutes_to_feedback: Option<i64>,
    /// When triage is due (RFC 3339, UTC).
    pub triage_due_at: Option<String>,
    /// The current triage decision, once triaged (for those who review the service).
    pub grading: Option<GradingJson>,
    /// When it was closed.
    pub closed_at: Option<String>,
    /// Managers' sign-offs with their recommendations, oldest first (for those who review the service).
    pub sign_offs: Vec<SignOffJson>,
    /// Openness with the person and family, oldest first (for those who review the service).
    pub openness: Vec<OpennessJson>,
    /// References of the actions from it (for those who review the service).
    pub actions: Vec<String>,
    /// Its serious incident investigation's reference, if there is one (for those who review the service).
    pub investigation: Option<String>,
}

/// A manager's sign-off.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignOffJson {
    /// What was decided and why.
    pub note: String,
    /// The registered manager's recommendations to prevent it happening again.
    pub recommendations: String,
    /// Who signed it off.
    pub signed_by: String,
    /// When (RFC 3339, UTC).
    pub signed_at: String,
}

/// What the person or family were told, or why not yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpennessJson {
    /// Whether they were told.
    pub told: bool,
    /// Who was told.
    pub who: Option<String>,
    /// When (RFC 3339, UTC).
    pub told_at: Option<String>,
    /// `in_person`, `phone`, `video` or `writing`.
    pub how: Option<String>,
    /// What they were told.
    pub what: Option<String>,
    /// Whether an apology was given.
    pub apology: Option<bool>,
    /// Their questions or wishes.
    pub questions: Option<String>,
    /// Why not yet.
    pub not_told_reason: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339, UTC).
    pub recorded_at: String,
}

impl From<&crate::store::openness::OpennessRecord> for OpennessJson {
    fn from(r: &crate::store::openness::OpennessRecord) -> Self {
        use candour_domain::openness::Openness;
        let (recorded_by, recorded_at) = (r.recorded_by.clone(), r.recorded_at.to_string());
        match &r.record {
            Openness::Told {
                who,
                at,
                how,
                what,
                apology,
                questions,
            } => OpennessJson {
                told: true,
                who: Some(who.clone()),
                told_at: Some(at.to_string()),
                how: Some(how.code().to_owned()),
                what: Some(what.clone()),
                apology: Some(*apology),
                questions: Some(questions.clone()),
                not_told_reason: None,
                recorded_by,
                recorded_at,
            },
            Openness::NotTold { reason } => OpennessJson {
                told: false,
                who: None,
                told_at: None,
                how: None,
                what: None,
                apology: None,
                questions: None,
                not_told_reason: Some(reason.clone()),
                recorded_by,
                recorded_at,
            },
        }
    }
}

/// An incident's current triage decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradingJson {
    /// Confirmed kind code.
    pub kind: String,
    /// Confirmed category code.
    pub category: String,
    /// `none`, `low`, `moderate`, `severe` or `fatal`.
    pub physical_harm: String,
    /// `none`, `low`, `moderate` or `severe`.
    pub psychological_harm: String,
    /// Consequence × likelihood, 1–25.
    pub risk_score: i64,
    /// `low`, `moderate`, `high` or `extreme`.
    pub risk_band: String,
    /// The learning response code.
    pub learning_response: String,
    /// The handler's user id.
    pub handler_id: Option<String>,
    /// When it was first triaged.
    pub triaged_at: String,
    /// When the review is due.
    pub review_due_at: String,
}

/// Feedback to the reporter: what was found and what changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackJson {
    /// Who gave it.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// The feedback.
    pub text: String,
}

impl From<&Feedback> for FeedbackJson {
    fn from(f: &Feedback) -> Self {
        FeedbackJson {
            author: f.author_name.clone(),
            created_at: jiff::Timestamp::from_millisecond(f.created_at_ms)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            text: f.body.clone(),
        }
    }
}

/// Feedback to give the reporter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// What was found and what changed, up to 10,000 characters.
    pub text: String,
}

/// A member of staff to name in a report, with their part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffNamingRequest {
    /// Their account id: someone who works at the report's service.
    pub user_id: String,
    /// Their part: `alleged_perpetrator`, `witness`, `staff_involved` or `affected`.
    pub role: String,
}

/// A photo or document on a report (download it from `url`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentJson {
    /// Its id.
    pub id: String,
    /// The name it was sent with.
    pub file_name: String,
    /// Its type, judged by content.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// Where to download it (with the same token).
    pub url: String,
}

/// An addition to a submitted report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddendumJson {
    /// Its id (answer a correction request by giving it as `in_reply_to`).
    pub id: String,
    /// `addendum`, `correction_request` or `correction`.
    pub kind: String,
    /// The correction request this answers.
    pub in_reply_to: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
    /// The text.
    pub text: String,
}

impl From<&Addendum> for AddendumJson {
    fn from(a: &Addendum) -> Self {
        AddendumJson {
            id: a.addendum_id.to_string(),
            kind: a.kind.code().to_owned(),
            in_reply_to: a.in_reply_to.map(|u| u.to_string()),
            author: a.author_name.clone(),
            created_at: jiff::Timestamp::from_millisecond(a.created_at_ms)
                .map(|t| t.to_string())
                .unwrap_or_default(),
            text: a.body.clone(),
        }
    }
}

/// Something to add to a submitted report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumRequest {
    /// `addendum` (default), `correction_request` (reviewers) or `correction` (the reporter, answering a request).
    pub kind: Option<String>,
    /// For a correction: the id of the request it answers.
    pub in_reply_to: Option<String>,
    /// What to add, up to 10,000 characters.
    pub text: String,
}

impl From<IncidentView> for IncidentJson {
    fn from(v: IncidentView) -> Self {
        let i = v.incident;
        IncidentJson {
            reference: i.reference.to_string(),
            kind: i.kind.code().to_owned(),
            category: i.category.code().to_owned(),
            status: i.status.code().to_owned(),
            service_id: i.service_id.to_string(),
            service_name: i.service_name,
            area_id: i.area_id.map(|a| a.to_string()),
            area_name: i.area_name,
            occurred_at: i.occurred_at.to_string(),
            reported_at: i.reported_at.to_string(),
            description: i.description,
            immediate_actions: i.immediate_actions,
            others_involved: i.others_involved,
            people: v
                .people
                .into_iter()
                .map(|p| PersonJson {
                    person_id: p.person_id.to_string(),
                    internal_code: p.internal_code,
                    role: p.role.code().to_owned(),
                })
                .collect(),
            staff: v
                .staff
                .into_iter()
                .map(|s| StaffJson {
                    user_id: s.user_id.to_string(),
                    name: s.display_name,
                    role: s.role.code().to_owned(),
                })
                .collect(),
            version: i.version,
            addenda: v.addenda.iter().map(AddendumJson::from).collect(),
            details: serde_json::from_str(&i.details_json).unwrap_or_default(),
            told: serde_json::from_str(&i.told_json).unwrap_or_default(),
            written_at: i.written_at.map(|t| t.to_string()),
            attachments: v
                .attachments
                .iter()
                .map(|a| AttachmentJson {
                    id: a.attachment_id.to_string(),
                    file_name: a.file_name.clone(),
                    media_type: a.media_type.code().to_owned(),
                    size_bytes: a.size_bytes,
                    url: format!(
                        "/api/v1/incidents/{}/attachments/{}",
                        i.reference, a.attachment_id
                    ),
                })
                .collect(),
            minutes_to_feedback: v.feedback.first().map(|f| {
                candour_domain::feedback::minutes_to_feedback(
                    i.reported_at.as_millisecond(),
                    f.created_at_ms,
                )
            }),
            feedback: v.feedback.iter().map(FeedbackJson::from).collect(),
            triage_due_at: i.triage_due_at.map(|t| t.to_string()),
            grading: i
                .grading
                .as_ref()
                .filter(|_| v.is_reviewer)
                .map(|g| GradingJson {
                    kind: g.kind.code().to_owned(),
                    category: g.category.code().to_owned(),
                    physical_harm: g.physical_harm.code().to_owned(),
                    psychological_harm: g.psychological_harm.code().to_owned(),
                    risk_score: g.risk_score,
                    risk_band: g.risk_band.code().to_owned(),
                    learning_response: g.learning_response.code().to_owned(),
                    handler_id: g.handler.as_ref().map(|(id, _)| id.to_string()),
                    triaged_at: g.triaged_at.to_string(),
                    review_due_at: g.review_due_at.to_string(),
                }),
            closed_at: i.closed_at.map(|t| t.to_string()),
            sign_offs: v
                .sign_offs
                .iter()
                .map(|s| SignOffJson {
                    note: s.note.clone(),
                    recommendations: s.recommendations.clone(),
                    signed_by: s.signed_by_name.clone(),
                    signed_at: s.signed_at.to_string(),
                })
                .collect(),
            openness: v.openness.iter().map(OpennessJson::from).collect(),
            actions: v
                .actions
                .iter()
                .map(|a| candour_domain::improvement::action_reference(a.number))
                .collect(),
            investigation: v
                .investigation
                .as_ref()
                .map(|x| candour_domain::investigation::investigation_reference(x.number)),
        }
    }
}

/// A line of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentSummaryJson {
    /// Reference.
    pub reference: String,
    /// Kind code.
    pub kind: String,
    /// Category code.
    pub category: String,
    /// Status code.
    pub status: String,
    /// Service id.
    pub service_id: String,
    /// Service name.
    pub service_name: String,
    /// When it happened.
    pub occurred_at: String,
    /// When it was reported.
    pub reported_at: String,
}

impl From<&IncidentSummary> for IncidentSummaryJson {
    fn from(s: &IncidentSummary) -> Self {
        IncidentSummaryJson {
            reference: s.reference.to_string(),
            kind: s.kind.code().to_owned(),
            category: s.category.code().to_owned(),
            status: s.status.code().to_owned(),
            service_id: s.service_id.to_string(),
            service_name: s.service_name.clone(),
            occurred_at: s.occurred_at.to_string(),
            reported_at: s.reported_at.to_string(),
        }
    }
}

/// A page of incidents.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPage {
    /// Newest report first.
    pub items: Vec<IncidentSummaryJson>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}
