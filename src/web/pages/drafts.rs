//! Saving the report form as a draft (with the button, or as the reporter
//! types) and throwing a draft away. Carrying on with one is the report
//! form's own (`report`); the list is in "My reports" (`incidents`).

use crate::actions::ActionError;
use crate::actions::drafts::{discard_draft, save_draft};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::WebError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::incident::london;

/// POST /incidents/drafts: saves the report form as typed. From the "Save
/// as draft" button it answers with the form again; from the page's script
/// (header `X-Candour-Autosave: 1`) it answers in JSON, with 409 when the
/// draft was saved since in another window (nothing is overwritten).
pub async fn save_report_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let autosave = headers.contains_key("x-candour-autosave");
    let existing = match (
        form.get("draft_id").parse::<uuid::Uuid>(),
        form.get("draft_version").parse::<i64>(),
    ) {
        (Ok(id), Ok(v)) => Some((id, v)),
        _ => None,
    };
    let clock = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_zoned(london()).strftime("%H:%M").to_string())
            .unwrap_or_default()
    };
    let result = match save_draft(&state.ctx, &user.actor, existing, form.pairs()).await {
        // Sent or deleted since: saving as the page's script types must not bring it back.
        Err(ActionError::NotFound) if autosave => {
            return Ok((
                StatusCode::GONE,
                axum::Json(serde_json::json!({"problem": "This draft has been sent or deleted"})),
            )
                .into_response());
        }
        Err(ActionError::NotFound) if existing.is_some() => {
            // The draft was thrown away (or sent) elsewhere: keep this as a new one.
            save_draft(&state.ctx, &user.actor, None, form.pairs()).await?
        }
        other => other?,
    };
    match (result, autosave) {
        (Ok(saved), true) => Ok(axum::Json(serde_json::json!({
            "draft_id": saved.draft_id.to_string(),
            "version": saved.version,
            "saved_at": clock(saved.saved_at_ms),
        }))
        .into_response()),
        (Err(stale), true) => Ok((
            StatusCode::CONFLICT,
            axum::Json(serde_json::json!({
                "problem": format!("This draft was saved in another window at {}", clock(stale.saved_at_ms)),
            })),
        )
            .into_response()),
        (Ok(saved), false) => Ok(Redirect::to(&format!(
            "/incidents/new?draft={}&saved=1",
            saved.draft_id
        ))
        .into_response()),
        (Err(_), false) => {
            let copy = save_draft(&state.ctx, &user.actor, None, form.pairs())
                .await?
                .map_err(|_| WebError::Internal(anyhow::anyhow!("a new draft cannot be stale")))?;
            Ok(Redirect::to(&format!(
                "/incidents/new?draft={}&saved=copy",
                copy.draft_id
            ))
            .into_response())
        }
    }
}

/// POST /incidents/drafts/{id}/delete: throws a draft away.
pub async fn delete_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id: uuid::Uuid = id.parse().map_err(|_| WebError::NotFound)?;
    discard_draft(&state.ctx, &user.actor, id).await?;
    Ok(Redirect::to("/my-reports").into_response())
}
