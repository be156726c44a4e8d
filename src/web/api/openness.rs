//! `/api/v1/incidents/{reference}/openness`: whether, when and how the
//! person or their family were told what happened, any apology, and their
//! questions.

use super::incident_json::IncidentJson;
use super::{ApiJson, Problem, invalid, renaming};
use crate::actions::incidents::show_incident;
use crate::actions::openness::record_openness;
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use candour_domain::incident::{IncidentReference, london};
use candour_domain::openness::OpennessDraft;
use serde::Deserialize;
use utoipa::ToSchema;

/// A record of openness. When `told` is true give `who`, `told_at`, `how`
/// and `what`; when false, `not_told_reason`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpennessRequest {
    /// Whether they have been told.
    pub told: bool,
    /// Who was told: the person, or their representative and how they are related.
    pub who: Option<String>,
    /// When (RFC 3339): after the incident, not in the future.
    pub told_at: Option<String>,
    /// `in_person`, `phone`, `video` or `writing`.
    pub how: Option<String>,
    /// What they were told happened and what will be done.
    pub what: Option<String>,
    /// Whether an apology was given.
    #[serde(default)]
    pub apology: bool,
    /// Their questions or wishes.
    pub questions: Option<String>,
    /// Why they have not been told yet.
    pub not_told_reason: Option<String>,
}

/// Record whether, when and how the person or their family were told.
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/openness", tag = "triage", request_body = OpennessRequest,
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    responses(
        (status = 201, description = "Recorded; the incident as it is now, with `openness`", body = IncidentJson),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such incident that you review", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field broke a rule; `errors` names each", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_openness(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<OpennessRequest>,
) -> Result<(StatusCode, Json<IncidentJson>), ApiError> {
    let reference = IncidentReference::parse(&reference).ok_or(ApiError(WebError::NotFound))?;
    let (told_date, told_time) = match (body.told, body.told_at.as_deref()) {
        (true, Some(t)) => {
            let at = t.trim().parse::<jiff::Timestamp>().map_err(|_| {
                invalid(
                    "told_at",
                    "Give the time they were told as an RFC 3339 instant, like 2026-11-23T14:30:00Z",
                )
            })?;
            let uk = at.to_zoned(london());
            (
                uk.date().to_string(),
                uk.time().strftime("%H:%M:%S").to_string(),
            )
        }
        _ => (String::new(), String::new()),
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let draft = OpennessDraft {
        told: yes_no(body.told),
        who: body.who.unwrap_or_default(),
        told_date,
        told_time,
        how: body.how.unwrap_or_default(),
        what: body.what.unwrap_or_default(),
        apology: yes_no(body.apology),
        questions: body.questions.unwrap_or_default(),
        not_told_reason: body.not_told_reason.unwrap_or_default(),
    };
    record_openness(&state.ctx, &actor, reference, &draft)
        .await
        .map_err(|e| renaming(e, "told_date", "told_at"))?;
    Ok((
        StatusCode::CREATED,
        Json(show_incident(&state.ctx, &actor, reference).await?.into()),
    ))
}
