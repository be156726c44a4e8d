//! Naming a member of staff in a report after it was made.

use super::incident_page::page;
use super::incidents::parse_reference;
use crate::actions::ActionError;
use crate::actions::about_staff::name_staff as name_staff_action;
use crate::actions::incidents::show_incident;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// POST /incidents/{reference}/staff: name a member of staff (`user_id`)
/// with a part (`role`). Someone who names themselves as alleged to have
/// caused harm is taken to the list, since the report no longer exists for them.
pub async fn name_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let named = name_staff_action(
        &state.ctx,
        &user.actor,
        reference,
        &form.get("user_id"),
        &form.get("role"),
    )
    .await;
    match named {
        Ok(true) => Ok(Redirect::to(&format!("/incidents/{reference}#name-staff")).into_response()),
        Ok(false) => Ok(Redirect::to("/incidents").into_response()),
        Err(ActionError::Invalid(errors)) => {
            let view = show_incident(&state.ctx, &user.actor, reference).await?;
            let mut p = page(&state, &user, view, false, errors, String::new());
            p.with_action_form(&state, Default::default(), Default::default())
                .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
