//! `/api/v1/triage` and `/api/v1/incidents/{reference}/triage`: the queue
//! of open incidents, most pressing first, and triage decisions.

use super::incident_json::IncidentJson;
use super::{ApiJson, Problem};
use crate::actions::incidents::show_incident;
use crate::actions::triage::{triage_incident, triage_queue};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, Query, State};
use candour_domain::ids::ServiceId;
use candour_domain::incident::IncidentReference;
use candour_domain::triage::TriageDraft;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A triage decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    /// The incident's `version` this decision was made against (from the
    /// incident); if it has changed since, the answer is 409.
    pub version: i64,
    /// Confirmed kind: `incident`, `near_miss` or `good_practice`.
    pub kind: String,
    /// Confirmed category code.
    pub category: String,
    /// `none`, `low`, `moderate`, `severe` or `fatal`.
    pub physical_harm: String,
    /// `none`, `low`, `moderate` or `severe`.
    pub psychological_harm: String,
    /// 1 (negligible) to 5 (catastrophic); for a near miss, the worst credible outcome.
    pub consequence: u8,
    /// 1 (rare) to 5 (almost certain).
    pub likelihood: u8,
    /// `no_further_action`, `local_review`, `after_action_review`, `swarm_huddle`,
    /// `mdt_review`, `thematic_review` or `serious_investigation`.
    pub learning_response: String,
    /// Why no further action (required with that response).
    pub no_action_reason: Option<String>,
    /// The handler's user id.
    pub handler_id: Option<String>,
    /// Why it is graded again (required when it was graded before).
    pub reason: Option<String>,
}

/// Triage an incident, or grade it again.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/triage", tag = "triage", request_body = TriageRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 200, description = "Triaged; the incident as it is now", body = IncidentJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you triage", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone graded it since `version`: the detail says who and when", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_triage(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<TriageRequest>,
) -> Result<Json<IncidentJson>, ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    let draft = TriageDraft {
        kind: body.kind,
        category: body.category,
        physical_harm: body.physical_harm,
        psychological_harm: body.psychological_harm,
        consequence: body.consequence.to_string(),
        likelihood: body.likelihood.to_string(),
        learning_response: body.learning_response,
        no_action_reason: body.no_action_reason.unwrap_or_default(),
        handler: body.handler_id.unwrap_or_default(),
        reason: body.reason.unwrap_or_default(),
    };
    triage_incident(&state.ctx, &actor, reference, &draft, body.version).await?;
    Ok(Json(
        show_incident(&state.ctx, &actor, reference).await?.into(),
    ))
}

/// Which queue.
#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueParams {
    /// One service (default: every service you triage).
    pub service: Option<String>,
}

/// A line of the triage queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemJson {
    /// Reference.
    pub reference: String,
    /// Status code.
    pub status: String,
    /// Kind code.
    pub kind: String,
    /// Category code.
    pub category: String,
    /// Service name.
    pub service_name: String,
    /// When it was reported.
    pub reported_at: String,
    /// What is due next: `triage` or `review`.
    pub due: String,
    /// When (RFC 3339, UTC).
    pub due_at: Option<String>,
    /// Risk band, once triaged.
    pub risk_band: Option<String>,
}

/// The queue: open incidents, awaiting triage first by triage deadline, then
/// the rest by review deadline.
#[utoipa::path(get, path = "/api/v1/triage", tag = "triage",
    security(("bearer" = [])),
    params(QueueParams),
    responses(
        (status = 200, description = "Most pressing first (at most 200)", body = Vec<QueueItemJson>),
        (status = 400, description = "The service parameter is not a service id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You do not triage there", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_queue(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Query(p): Query<QueueParams>,
) -> Result<Json<Vec<QueueItemJson>>, ApiError> {
    let service = match p.service.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(s.parse::<ServiceId>().map_err(|_| {
            ApiError(WebError::BadRequest(
                "The service parameter must be a service id".to_owned(),
            ))
        })?),
        None => None,
    };
    let lines = triage_queue(&state.ctx, &actor, service).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|q| {
                let awaiting =
                    q.summary.status == candour_domain::incident::IncidentStatus::Reported;
                QueueItemJson {
                    reference: q.summary.reference.to_string(),
                    status: q.summary.status.code().to_owned(),
                    kind: q.summary.kind.code().to_owned(),
                    category: q.summary.category.code().to_owned(),
                    service_name: q.summary.service_name.clone(),
                    reported_at: q.summary.reported_at.to_string(),
                    due: if awaiting { "triage" } else { "review" }.to_owned(),
                    due_at: if awaiting {
                        q.triage_due_at
                    } else {
                        q.review_due_at
                    }
                    .map(|t| t.to_string()),
                    risk_band: q.risk_band.map(|b| b.code().to_owned()),
                }
            })
            .collect(),
    ))
}

/// A status move.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The incident's `version` the move was decided on.
    pub version: i64,
    /// `start_review`, `start_investigation`, `request_sign_off`, `send_back`,
    /// `close` or `reopen`.
    #[serde(rename = "move")]
    pub mv: String,
    /// The note: review summary, sign-off note (required to close), or the
    /// reason to send back or reopen (required).
    pub note: Option<String>,
    /// When closing: recommendations to prevent it happening again.
    pub recommendations: Option<String>,
    /// When closing without feedback yet: the feedback to the reporter.
    pub feedback: Option<String>,
}

/// Move an incident on: start the review, ask for sign-off, sign off and
/// close, send back, reopen. A guard that refuses answers 409 with `reasons`.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/moves", tag = "triage", request_body = MoveRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 200, description = "Moved; the incident as it is now", body = IncidentJson),
        (status = 400, description = "The move is not one Candour knows", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You may not make this move here", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused (`reasons` lists why) or changed since `version`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_move(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<MoveRequest>,
) -> Result<Json<IncidentJson>, ApiError> {
    use crate::actions::workflow::{MoveInput, move_incident};
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    let mv = candour_domain::workflow::Move::parse(&body.mv)
        .filter(|m| *m != candour_domain::workflow::Move::Triage)
        .ok_or_else(|| {
            ApiError(WebError::BadRequest(
                "move must be start_review, start_investigation, request_sign_off, send_back, close or reopen (triage has its own route)".to_owned(),
            ))
        })?;
    let input = MoveInput {
        note: body.note.unwrap_or_default(),
        recommendations: body.recommendations.unwrap_or_default(),
        feedback: body.feedback.unwrap_or_default(),
    };
    move_incident(&state.ctx, &actor, reference, mv, &input, body.version).await?;
    Ok(Json(
        show_incident(&state.ctx, &actor, reference).await?.into(),
    ))
}
