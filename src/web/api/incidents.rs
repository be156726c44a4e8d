//! `/api/v1/incidents`: report, read and list incidents. (The JSON shapes
//! are in `incident_json`.)

use super::incident_json::*;
use super::{ApiJson, Problem};
use crate::actions::ActionError;
use crate::actions::addenda::add_to_report;
use crate::actions::feedback::give_feedback;
use crate::actions::incidents::{
    PAGE_SIZE, list_incidents as list_action, report_incident_once, show_incident,
    show_new_incident,
};
use crate::store::incidents::IncidentFilter;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use crate::web::pages::incidents::{decode_cursor, encode_cursor};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use candour_domain::ids::ServiceId;
use candour_domain::incident::{
    AddendumKind, Category, EventKind, IncidentReference, IncidentStatus, ReportDraft,
    check_idempotency_key, london,
};
use serde::Deserialize;
use utoipa::IntoParams;

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
    /// Words the report's text (what happened and what was done) must all
    /// have, such as `sensor mat`: letters and digits, two or more each.
    pub q: Option<String>,
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
            reported_from: None,
            // Set by the action, for whoever asks.
            hidden_from: None,
            words: match self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                None => Vec::new(),
                Some(q) => {
                    let words = candour_domain::similar::search_words(q);
                    if words.is_empty() {
                        return Err(bad_param("q", "words of two or more letters or digits"));
                    }
                    words
                }
            },
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
    let view = show_new_incident(&state.ctx, &actor, &reported).await?;
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

/// Name a member of staff in a report after it was made, with their part.
/// For those who triage the service's reports, and for the reporter.
/// Someone named as alleged to have caused harm no longer sees the report
/// (it answers 404 to them from then on) and never learns who made it.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/staff", tag = "incidents", request_body = StaffNamingRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 204, description = "Named (or already named in that part)"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you triage or reported", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Named at the same moment by someone else", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not someone who works at the service, or not a part Candour knows", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn name_staff(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<StaffNamingRequest>,
) -> Result<StatusCode, ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    crate::actions::about_staff::name_staff(
        &state.ctx,
        &actor,
        reference,
        &body.user_id,
        &body.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
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
