//! `/api/v1/incidents/{reference}/attachments`: add and download photos and documents.

use super::Problem;
use crate::actions::attachments::{add_attachment, read_attachment};
use crate::web::AppState;
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, WebError};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use candour_domain::incident::IncidentReference;
use serde::Serialize;
use utoipa::ToSchema;

/// The file part of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The photo (JPEG, PNG, WebP) or PDF, with its file name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A file added.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedJson {
    /// Its id.
    pub id: String,
    /// Its type, judged by content.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
}

fn reference(s: &str) -> Result<IncidentReference, ApiError> {
    IncidentReference::parse(s).ok_or(ApiError(WebError::NotFound))
}

/// Add a photo or document to a report (multipart, one part named `file`).
#[utoipa::path(post, path = "/api/v1/incidents/{reference}/attachments", tag = "incidents",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Added", body = AddedJson),
        (status = 404, description = "No such incident that you may see", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Far larger than the limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong type, a lying name, a path in the name, or over the size limit", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_attachment(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(r): Path<String>,
    mut multipart: Multipart,
) -> Result<(StatusCode, axum::Json<AddedJson>), ApiError> {
    let reference = reference(&r)?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        ApiError(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge
        } else {
            WebError::BadRequest("The upload could not be read".to_owned())
        })
    })? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| ApiError(WebError::TooLarge))?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file.unwrap_or_default();
    let added = add_attachment(
        &state.ctx,
        &actor,
        reference,
        &name,
        &bytes,
        state.max_upload_bytes,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(AddedJson {
            id: added.attachment_id.to_string(),
            media_type: added.media_type.code().to_owned(),
            size_bytes: added.size_bytes,
        }),
    ))
}

/// Download a photo or document of a report.
#[utoipa::path(get, path = "/api/v1/incidents/{reference}/attachments/{id}", tag = "incidents",
    security(("bearer" = [])),
    params(("reference" = String, Path, description = "Such as INC-000123"), ("id" = String, Path, description = "The attachment's id")),
    responses(
        (status = 200, description = "The file, as a download, sent as its own type", content(
            ("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf")
        )),
        (status = 404, description = "No such file that you may see", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_attachment(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((r, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let reference = reference(&r)?;
    let id: uuid::Uuid = id.parse().map_err(|_| ApiError(WebError::NotFound))?;
    let (attachment, bytes) = read_attachment(&state.ctx, &actor, reference, id).await?;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(attachment.media_type.code()),
    );
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    Ok(resp)
}
