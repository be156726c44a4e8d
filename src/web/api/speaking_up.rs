//! Speaking up over the API: raise a concern, list and read the concerns
//! you raised or handle as a guardian, acknowledge, write, give the
//! outcome; and, with no token, follow an anonymous concern by its code.

use super::{ApiJson, Problem};
use crate::actions::speaking_up::{
    ConcernView, acknowledge, concern_for, give_outcome, message_from_case, open_case, overview,
    raise, write,
};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::ApiError;
use crate::web::pages::login::client_address;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use candour_domain::speaking_up::ConcernDraft;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// A concern to raise.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernRequest {
    /// `practice`, `culture`, `bullying`, `manager_conduct` or `other`.
    pub theme: String,
    /// The service it is about; leave out for the organisation as a whole.
    pub service_id: Option<String>,
    /// What the concern is (up to 10,000 characters).
    pub description: String,
    /// `confidential` (your name goes to the guardian only) or `anonymous`
    /// (nothing links it to you; you get a case code).
    pub identity: String,
}

/// A concern just raised.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernCreated {
    /// Such as `SPK-000012`.
    pub reference: String,
    /// For an anonymous concern, the case code: shown only now, never stored.
    pub case_code: Option<String>,
}

/// A message on a concern.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernMessageJson {
    /// True when the person who raised it wrote it.
    pub from_raiser: bool,
    /// The guardian's name, for their messages.
    pub author: Option<String>,
    /// The text.
    pub text: String,
    /// The day it was written (dates only: a time of day can point to a shift).
    pub written_on: String,
}

/// A concern as you may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernJson {
    /// Such as `SPK-000012`.
    pub reference: String,
    /// The theme code.
    pub theme: String,
    /// The service's name, or none for the organisation as a whole.
    pub service: Option<String>,
    /// What the concern is.
    pub description: String,
    /// `raised`, `acknowledged` or `closed`.
    pub status: String,
    /// The day it was raised.
    pub raised_on: String,
    /// Whether it was raised anonymously.
    pub anonymous: bool,
    /// Who raised it: only for a guardian, and only when named.
    pub raised_by: Option<String>,
    /// The day acknowledgement falls due.
    pub acknowledge_by: String,
    /// The day feedback falls due.
    pub feedback_by: String,
    /// Whether acknowledgement is, or was, late.
    pub acknowledgement_late: bool,
    /// Whether feedback is, or was, late.
    pub feedback_late: bool,
    /// The outcome, once given.
    pub outcome: Option<String>,
    /// Messages, oldest first (empty in lists).
    pub messages: Vec<ConcernMessageJson>,
}

fn day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned(candour_domain::incident::london())
                .date()
                .to_string()
        })
        .unwrap_or_default()
}

impl From<&ConcernView> for ConcernJson {
    fn from(v: &ConcernView) -> Self {
        let c = &v.concern;
        ConcernJson {
            reference: v.reference.clone(),
            theme: c.theme.code().to_owned(),
            service: c.service.as_ref().map(|s| s.2.clone()),
            description: c.description.clone(),
            status: v.status.code().to_owned(),
            raised_on: day(c.raised_at_ms),
            anonymous: c.raised_by.is_none(),
            raised_by: c
                .raised_by
                .as_ref()
                .filter(|_| v.as_guardian)
                .map(|r| r.1.clone()),
            acknowledge_by: day(v.due.0),
            feedback_by: day(v.due.1),
            acknowledgement_late: v.late.0,
            feedback_late: v.late.1,
            outcome: c.outcome.as_ref().map(|o| o.0.clone()),
            messages: v
                .messages
                .iter()
                .map(|m| ConcernMessageJson {
                    from_raiser: m.from_raiser,
                    author: m.author_name.clone(),
                    text: m.body.clone(),
                    written_on: day(m.created_at_ms),
                })
                .collect(),
        }
    }
}

/// The concerns you raised by name and those you handle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernLists {
    /// Raised by you, by name, newest first.
    pub raised: Vec<ConcernJson>,
    /// As a guardian: without an outcome, oldest first.
    pub to_handle: Vec<ConcernJson>,
    /// As a guardian: outcome given in the last 90 days, newest first.
    pub closed: Vec<ConcernJson>,
}

/// A message, or an acknowledgement's optional message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernMessageRequest {
    /// The text (up to 10,000 characters).
    pub message: Option<String>,
}

/// The outcome of a concern.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// What was found and what was done (up to 10,000 characters).
    pub outcome: String,
}

/// An anonymous concern's code, and optionally a message to send with it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernCaseRequest {
    /// The code, with or without hyphens, any case.
    pub code: String,
    /// A message to the guardian (up to 10,000 characters).
    pub message: Option<String>,
}

/// Raise a speaking-up concern with the organisation's guardians, by name
/// in confidence or anonymously. Any member of staff may.
#[utoipa::path(post, path = "/api/v1/speaking-up", tag = "speaking up", request_body = ConcernRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Raised; an anonymous concern's case code is shown only now", body = ConcernCreated),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_concern(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<ConcernRequest>,
) -> Result<(StatusCode, Json<ConcernCreated>), ApiError> {
    let draft = ConcernDraft {
        theme: body.theme,
        service_id: body.service_id.unwrap_or_default(),
        description: body.description,
        identity: body.identity,
    };
    let raised = raise(&state.ctx, &actor, &draft).await?;
    Ok((
        StatusCode::CREATED,
        Json(ConcernCreated {
            reference: raised.reference,
            case_code: raised.case_code,
        }),
    ))
}

/// The concerns you raised by name and, as a speaking-up guardian, those you handle.
#[utoipa::path(get, path = "/api/v1/speaking-up", tag = "speaking up",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your concerns", body = ConcernLists),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_concerns(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<ConcernLists>, ApiError> {
    let o = overview(&state.ctx, &actor).await?;
    let json = |v: &Vec<ConcernView>| v.iter().map(ConcernJson::from).collect();
    Ok(Json(ConcernLists {
        raised: json(&o.raised),
        to_handle: json(&o.to_handle),
        closed: json(&o.closed),
    }))
}

/// Read a concern you raised by name or handle as a guardian (audited).
#[utoipa::path(get, path = "/api/v1/speaking-up/{reference}", tag = "speaking up",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as SPK-000012")),
    responses(
        (status = 200, description = "The concern", body = ConcernJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such concern that you raised or handle", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_concern(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
) -> Result<Json<ConcernJson>, ApiError> {
    let v = concern_for(&state.ctx, &actor, &reference).await?;
    Ok(Json(ConcernJson::from(&v)))
}

/// As a guardian, acknowledge a concern, optionally with a message to the person who raised it.
#[utoipa::path(post, path = "/api/v1/speaking-up/{reference}/acknowledgement", tag = "speaking up", request_body = ConcernMessageRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as SPK-000012")),
    responses(
        (status = 204, description = "Acknowledged"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You raised it: only a guardian acknowledges it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such concern that you raised or handle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already acknowledged (the answer says by whom)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The message broke a rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_acknowledgement(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<ConcernMessageRequest>,
) -> Result<StatusCode, ApiError> {
    let message = body.message.unwrap_or_default();
    acknowledge(&state.ctx, &actor, &reference, &message).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Write on a concern: as its named raiser to the guardian, or as a guardian to the raiser.
#[utoipa::path(post, path = "/api/v1/speaking-up/{reference}/messages", tag = "speaking up", request_body = ConcernMessageRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as SPK-000012")),
    responses(
        (status = 204, description = "Sent"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such concern that you raised or handle", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The message broke a rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_concern_message(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<ConcernMessageRequest>,
) -> Result<StatusCode, ApiError> {
    let text = body.message.unwrap_or_default();
    write(&state.ctx, &actor, &reference, &text).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// As a guardian, give the outcome: the person who raised it reads it. It
/// closes the concern and is never changed.
#[utoipa::path(post, path = "/api/v1/speaking-up/{reference}/outcome", tag = "speaking up", request_body = OutcomeRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as SPK-000012")),
    responses(
        (status = 204, description = "Given"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "You raised it: only a guardian gives the outcome", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such concern that you raised or handle", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The outcome was already given (the answer says by whom)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The outcome broke a rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_outcome(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<StatusCode, ApiError> {
    give_outcome(&state.ctx, &actor, &reference, &body.outcome).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Follow an anonymous concern by its code, and optionally send a message (no token).
///
/// A wrong code and a malformed one get the same 404; ten wrong codes from
/// one address in 15 minutes (with anonymous reports' codes) get 429.
#[utoipa::path(post, path = "/api/v1/speaking-up/cases", tag = "anonymous", request_body = ConcernCaseRequest,
    responses(
        (status = 200, description = "The concern", body = ConcernJson),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No concern has that code", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The message broke a rule", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes from this address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn open_concern_case(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ConcernCaseRequest>,
) -> Result<Json<ConcernJson>, ApiError> {
    let ip = client_address(&headers, addr, state.trust_proxy);
    let v = match body.message {
        Some(text) => message_from_case(&state.ctx, &body.code, &ip, &text).await?,
        None => open_case(&state.ctx, &body.code, &ip).await?,
    };
    Ok(Json(ConcernJson::from(&v)))
}
