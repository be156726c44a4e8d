//! The anonymous side of the API, needing no token: report through a
//! service's public link, then follow the case with its code.

use super::{ApiJson, Problem};
use crate::actions::anonymous::{CaseView, message_from_reporter, open_case, report_anonymously};
use crate::web::AppState;
use crate::web::error::{ApiError, WebError};
use crate::web::pages::login::client_address;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use candour_domain::incident::ReportDraft;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// An anonymous report. People are never named here: describe them instead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReport {
    /// `incident`, `near_miss` or `good_practice`.
    pub kind: String,
    /// Category code.
    pub category: String,
    /// When it happened, RFC 3339.
    pub occurred_at: String,
    /// What happened.
    pub description: String,
    /// What was done straight away.
    pub immediate_actions: Option<String>,
    /// Area within the service.
    pub area_id: Option<String>,
    /// The category's answers (as for `POST /api/v1/incidents`).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What the anonymous reporter gets back, once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseCreated {
    /// The report's reference.
    pub reference: String,
    /// The case code: shown only now, never stored.
    pub case_code: String,
}

/// A case code, and optionally a message to send with it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// The code, with or without hyphens, any case.
    pub code: String,
    /// A message to the manager (up to 10,000 characters).
    pub message: Option<String>,
}

/// One message on a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseMessageJson {
    /// True when the anonymous reporter wrote it.
    pub from_reporter: bool,
    /// The handler's name, for their replies.
    pub author: Option<String>,
    /// The text.
    pub text: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
}

/// A case as its anonymous reporter sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseJson {
    /// The report's reference.
    pub reference: String,
    /// Kind, category and service, as words.
    pub what: String,
    /// Status, as words.
    pub status: String,
    /// When it was reported (RFC 3339, UTC).
    pub reported_at: String,
    /// Messages, oldest first.
    pub messages: Vec<CaseMessageJson>,
    /// Feedback from the service (what they found and what changed), oldest first.
    pub feedback: Vec<super::incident_json::FeedbackJson>,
}

impl From<CaseView> for CaseJson {
    fn from(v: CaseView) -> Self {
        CaseJson {
            reference: v.reference.to_string(),
            what: format!("{}: {}, at {}", v.kind, v.category, v.service_name),
            status: v.status.to_owned(),
            reported_at: v.reported_at.to_string(),
            messages: v
                .messages
                .into_iter()
                .map(|m| CaseMessageJson {
                    from_reporter: m.from_reporter,
                    author: m.author_name,
                    text: m.body,
                    created_at: jiff::Timestamp::from_millisecond(m.created_at_ms)
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                })
                .collect(),
            feedback: v
                .feedback
                .iter()
                .map(super::incident_json::FeedbackJson::from)
                .collect(),
        }
    }
}

/// Report anonymously through a service's public link (no token).
#[utoipa::path(post, path = "/api/v1/public/{link}/incidents", tag = "anonymous", request_body = PublicReport,
    params(("link" = String, Path, description = "The token from the service's public reporting link")),
    responses(
        (status = 201, description = "Reported; keep the case code", body = CaseCreated),
        (status = 404, description = "No such public link", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many anonymous reports from this address in the last hour", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_public_incident(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(link): Path<String>,
    ApiJson(body): ApiJson<PublicReport>,
) -> Result<(StatusCode, Json<CaseCreated>), ApiError> {
    let ip = client_address(&headers, addr, state.trust_proxy);
    let draft = ReportDraft {
        kind: body.kind,
        category: body.category,
        occurred_at: body.occurred_at,
        description: body.description,
        immediate_actions: body.immediate_actions.unwrap_or_default(),
        area_id: body.area_id.unwrap_or_default(),
        details: super::incident_json::raw_details(body.details),
        ..ReportDraft::default()
    };
    if draft.occurred_at.trim().is_empty() {
        let mut e = candour_domain::validation::FieldErrors::new();
        e.add(
            "occurred_at",
            "Give the time it happened as an RFC 3339 timestamp, like 2026-11-22T14:30:00Z",
        );
        return Err(ApiError(WebError::Invalid(e)));
    }
    let (reference, code) = report_anonymously(&state.ctx, &link, &draft, &ip).await?;
    Ok((
        StatusCode::CREATED,
        Json(CaseCreated {
            reference: reference.to_string(),
            case_code: code,
        }),
    ))
}

/// See an anonymous case by its code, and optionally send a message (no token).
///
/// A wrong code and a malformed one get the same 404; ten wrong codes from one
/// address in 15 minutes get 429.
#[utoipa::path(post, path = "/api/v1/cases", tag = "anonymous", request_body = CaseRequest,
    responses(
        (status = 200, description = "The case", body = CaseJson),
        (status = 404, description = "No report has that code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The message broke a rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes from this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn open_case_json(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CaseRequest>,
) -> Result<Json<CaseJson>, ApiError> {
    let ip = client_address(&headers, addr, state.trust_proxy);
    let view = match body.message {
        Some(text) => message_from_reporter(&state.ctx, &body.code, &ip, &text).await?,
        None => open_case(&state.ctx, &body.code, &ip).await?.0,
    };
    Ok(Json(view.into()))
}
