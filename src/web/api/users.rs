//! Accounts over the API: disable a leaver, enable an account again. For
//! administrators, and for registered managers over their own services'
//! staff at or below their role.

use super::{ApiJson, Problem};
use crate::actions::leavers::{disable_account, enable_account};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

/// Why an account is disabled or enabled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// Kept in the audit trail, such as "left on 30 Nov 2026" (up to 500 characters).
    pub reason: String,
}

fn user_id(s: &str) -> Result<candour_domain::ids::UserId, ApiError> {
    s.parse().map_err(|_| ApiError(WebError::NotFound))
}

/// Disable an account (a leaver): its sessions, API tokens and quick
/// sign-in PIN end at once, on every instance; its records keep its name.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/disable", tag = "users", request_body = StatusRequest,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an account you manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account in your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already disabled, or your own account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given, or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_disable(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<StatusCode, ApiError> {
    disable_account(&state.ctx, &actor, user_id(&id)?, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Let a disabled account sign in again.
#[utoipa::path(post, path = "/api/v1/users/{user_id}/enable", tag = "users", request_body = StatusRequest,
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204, description = "Enabled"),
        (status = 400, description = "The body could not be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an account you manage", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account in your organisation", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not disabled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given, or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_enable(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<StatusCode, ApiError> {
    enable_account(&state.ctx, &actor, user_id(&id)?, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
