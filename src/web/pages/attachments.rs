//! Adding photos and documents to a report (multipart upload), and
//! downloading them: always as a download, never shown inline.

use super::incident_page::page;
use super::incidents::parse_reference;
use crate::actions::ActionError;
use crate::actions::attachments::{add_attachment, read_attachment};
use crate::actions::incidents::show_incident;
use crate::secrets::constant_time_eq;
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

fn read_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge
    } else {
        WebError::BadRequest("The upload could not be read".to_owned())
    }
}

/// POST /incidents/{reference}/attachments (multipart: `csrf_token`, `file`).
pub async fn upload_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let (mut token, mut file) = (String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(read_error)? {
        match field.name() {
            Some("csrf_token") => token = field.text().await.map_err(read_error)?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((name, field.bytes().await.map_err(read_error)?));
            }
            _ => {}
        }
    }
    if !constant_time_eq(&user.csrf, &token) {
        return Err(WebError::Csrf);
    }
    let (name, bytes) = file.unwrap_or_default();
    match add_attachment(
        &state.ctx,
        &user.actor,
        reference,
        &name,
        &bytes,
        state.max_upload_bytes,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{reference}#attachments")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let view = show_incident(&state.ctx, &user.actor, reference).await?;
            let p = page(&state, &user, view, false, errors, String::new());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /incidents/{reference}/attachments/{id}: the file, as a download.
pub async fn download_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let id: uuid::Uuid = id.parse().map_err(|_| WebError::NotFound)?;
    let (attachment, bytes) = read_attachment(&state.ctx, &user.actor, reference, id).await?;
    // Only safe characters go into the header; the name was checked on upload.
    let safe: String = attachment
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(attachment.media_type.code()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    Ok(resp)
}
