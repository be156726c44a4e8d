//! `/api/v1/incidents`: report, read and list incidents.

use super::{ApiJson, Problem};
use crate::actions::ActionError;
use crate::actions::addenda::add_to_report;
use crate::actions::feedback::give_feedback;
use crate::actions::incidents::{
    IncidentView, PAGE_SIZE, list_incidents as list_action, report_incident_once, show_incident,
};
use crate::store::addenda::Addendum;
use crate::store::feedback::Feedback;
use crate::store::incidents::{IncidentFilter, IncidentSummary};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use crate::web::pages::incidents::{decode_cursor, encode_cursor};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use candour_domain::details::RawDetails;
use candour_domain::ids::ServiceId;
use candour_domain::incident::{
    AddendumKind, Category, EventKind, IncidentReference, IncidentStatus, ReportDraft,
    check_idempotency_key, london,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
    fn line(self) -> (String, String) {
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

/// Filters of the list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// Only this service (default: every service you may see).
    pub service: Option<String>,
    /// Only this area (an area id).
    pub area: Option<String>,
    /// Only this category, such as `fall`.
    pub category: Option<String>,
    /// Only this kind: `incident`, `near_miss` or `good_practice`.
    pub kind: Option<String>,
    /// Only this status, such as `reported`.
    pub status: Option<String>,
    /// Only incidents recorded against this person (a person id).
    pub person: Option<String>,
    /// Happened on or after this UK date, `YYYY-MM-DD`.
    pub occurred_from: Option<String>,
    /// Happened on or before this UK date, `YYYY-MM-DD`.
    pub occurred_to: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn bad_param(name: &str, what: &str) -> ApiError {
    ApiError(WebError::BadRequest(format!(
        "The {name} parameter must be {what}"
    )))
}

/// Reads one optional parameter with `parse`, naming it when it is wrong.
fn param<T>(
    value: &Option<String>,
    name: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    match value.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| bad_param(name, what)),
    }
}

/// Midnight (UK time) starting `date`.
fn day_start(date: jiff::civil::Date) -> Option<jiff::Timestamp> {
    date.to_zoned(london()).ok().map(|z| z.timestamp())
}

impl ListParams {
    fn filter(&self) -> Result<IncidentFilter, ApiError> {
        let date = |s: &str| s.parse::<jiff::civil::Date>().ok();
        let from = param(
            &self.occurred_from,
            "occurred_from",
            "a date like 2026-11-01",
            date,
        )?;
        let to = param(
            &self.occurred_to,
            "occurred_to",
            "a date like 2026-11-30",
            date,
        )?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(bad_param("occurred_from", "on or before occurred_to"));
        }
        Ok(IncidentFilter {
            area: param(&self.area, "area", "an area id", |s| s.parse().ok())?,
            category: param(
                &self.category,
                "category",
                "a category code such as fall",
                Category::parse,
            )?,
            kind: param(
                &self.kind,
                "kind",
                "incident, near_miss or good_practice",
                EventKind::parse,
            )?,
            status: param(
                &self.status,
                "status",
                "a status code such as reported",
                IncidentStatus::parse,
            )?,
            person: param(&self.person, "person", "a person id", |s| s.parse().ok())?,
            occurred_from: from.and_then(day_start),
            occurred_before: to.and_then(|d| d.tomorrow().ok()).and_then(day_start),
        })
    }
}

/// Report an incident, near miss or good practice.
///
/// Send an `Idempotency-Key` header (a UUID made by the client) so that a
/// retry never creates a second report: the same key with the same body
/// returns the report already made (with `Idempotent-Replayed: true`); the
/// same key with a different body is refused with 409.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", request_body = ReportRequest,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 200 visible characters, unique per report; a UUID is ideal")),
    responses(
        (status = 201, description = "Reported and durably stored (or, for a replayed key, the report already made)", body = IncidentJson),
        (status = 409, description = "The Idempotency-Key was used for a different report", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "The body is not valid JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_incident(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ReportRequest>,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v.to_str().map_err(|_| {
                ApiError(WebError::BadRequest(
                    "The Idempotency-Key must be visible ASCII text".to_owned(),
                ))
            })?;
            check_idempotency_key(k).map_err(|m| ApiError(WebError::BadRequest(m.to_owned())))?;
            Some(k.to_owned())
        }
    };
    let draft = ReportDraft {
        kind: body.kind,
        category: body.category,
        service_id: body.service_id,
        area_id: body.area_id.unwrap_or_default(),
        occurred_at: body.occurred_at,
        occurred_date: String::new(),
        occurred_time: String::new(),
        description: body.description,
        immediate_actions: body.immediate_actions.unwrap_or_default(),
        affected_person_ids: body.affected_person_ids,
        involved: body
            .involved
            .into_iter()
            .map(InvolvedRequest::line)
            .collect(),
        others_involved: body.others_involved.unwrap_or_default(),
        details: raw_details(body.details),
        told: body.told,
        written_at: body.written_at.unwrap_or_default(),
        on_behalf_of: body.on_behalf_of.unwrap_or_default(),
        draft_id: String::new(),
    };
    // An empty occurred_at would fall back to date/time fields the API does not have.
    if draft.occurred_at.trim().is_empty() {
        let mut e = candour_domain::validation::FieldErrors::new();
        e.add(
            "occurred_at",
            "Give the time it happened as an RFC 3339 timestamp, like 2026-11-22T14:30:00Z",
        );
        return Err(ApiError(WebError::Invalid(e)));
    }
    let reported = report_incident_once(&state.ctx, &actor, &draft, key.as_deref()).await?;
    let view = show_incident(&state.ctx, &actor, reported.reference).await?;
    let mut resp = (StatusCode::CREATED, Json(IncidentJson::from(view))).into_response();
    if reported.replayed {
        resp.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    Ok(resp)
}

/// Add to a submitted report. The report itself never changes.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/addenda", tag = "incidents", request_body = AddendumRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 201, description = "Added", body = AddendumJson),
        (status = 400, description = "The body or its kind could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may not add this kind here", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you may see", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The text or in_reply_to broke a rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_addendum(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<AddendumRequest>,
) -> Result<(StatusCode, Json<AddendumJson>), ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    let kind = match body.kind.as_deref() {
        None => AddendumKind::Addendum,
        Some(k) => AddendumKind::parse(k).ok_or_else(|| {
            ApiError(WebError::BadRequest(
                "kind must be addendum, correction_request or correction".to_owned(),
            ))
        })?,
    };
    let reply_to = match body.in_reply_to.as_deref() {
        None => None,
        Some(s) => Some(s.parse::<uuid::Uuid>().map_err(|_| {
            ApiError(WebError::BadRequest(
                "in_reply_to must be the id of a correction request".to_owned(),
            ))
        })?),
    };
    let added = add_to_report(&state.ctx, &actor, reference, kind, reply_to, &body.text).await?;
    Ok((StatusCode::CREATED, Json(AddendumJson::from(&added))))
}

/// Give the reporter feedback: what was found and what changed. For those
/// who review the service's incidents; the reporter is told in Candour and by email.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/feedback", tag = "incidents", request_body = FeedbackRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 201, description = "Given", body = FeedbackJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The text broke a rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_feedback(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<FeedbackRequest>,
) -> Result<(StatusCode, Json<FeedbackJson>), ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    let given = match give_feedback(&state.ctx, &actor, reference, &body.text).await {
        // The form calls the field `feedback`; in this body it is `text`.
        Err(ActionError::Invalid(mut errors)) => {
            for e in &mut errors.0 {
                e.field = "text".to_owned();
            }
            return Err(ApiError(WebError::Invalid(errors)));
        }
        other => other?,
    };
    Ok((StatusCode::CREATED, Json(FeedbackJson::from(&given))))
}

/// Read one incident by reference.
#[utoipa::path(get, path = "/api/v1/incidents/{reference}", tag = "incidents",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 200, description = "The incident", body = IncidentJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you may see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_incident(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
) -> Result<Json<IncidentJson>, ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    Ok(Json(
        show_incident(&state.ctx, &actor, reference).await?.into(),
    ))
}

/// List incidents in the services you may see, newest report first.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of incidents", body = IncidentPage),
        (status = 400, description = "A parameter is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may not list incidents there", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_incidents(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<ListParams>,
) -> Result<Json<IncidentPage>, ApiError> {
    let service = match p.service.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<ServiceId>().map_err(|_| {
            ApiError(WebError::BadRequest(
                "The service parameter must be a service id".to_owned(),
            ))
        })?),
        None => None,
    };
    let after = p
        .cursor
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(decode_cursor)
        .transpose()?;
    let filter = p.filter()?;
    let rows = list_action(&state.ctx, &actor, service, &filter, after).await?;
    let next_cursor = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(encode_cursor))
        .flatten();
    Ok(Json(IncidentPage {
        items: rows.iter().map(IncidentSummaryJson::from).collect(),
        next_cursor,
    }))
}
