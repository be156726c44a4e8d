//! Subject access through the API: everything held about a person using a
//! service, or a member of staff, as the same ZIP the page and the command
//! make (`actions::subject_access`), audited.

use super::Problem;
use crate::actions::subject_access::{export_person, export_staff};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::extract::{Path, State};
use axum::response::Response;

/// Everything held about a person using a service (for those who manage
/// the people of their service).
#[utoipa::path(post, path = "/api/v1/people/{person_id}/subject-access", tag = "data protection",
    security(("bearer" = [])),
    params(("person_id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "A ZIP: each kind of record as JSON and CSV, their photos and documents, and index.pdf", content_type = "application/zip"),
        (status = 403, description = "You may not manage the people of their service", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person in your organisation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_person_export(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = id.parse().map_err(|_| ApiError(WebError::NotFound))?;
    let export = export_person(&state.ctx, &actor, id).await?;
    Ok(crate::web::pages::people::zip_download(&export))
}

/// Everything held about a member of staff (for those who manage users).
#[utoipa::path(post, path = "/api/v1/users/{user_id}/subject-access", tag = "data protection",
    security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, description = "A ZIP: each kind of record as JSON and CSV, and index.pdf", content_type = "application/zip"),
        (status = 403, description = "You may not manage users", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account in your organisation", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_staff_export(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = id.parse().map_err(|_| ApiError(WebError::NotFound))?;
    let export = export_staff(&state.ctx, &actor, id).await?;
    Ok(crate::web::pages::people::zip_download(&export))
}
