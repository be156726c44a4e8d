//! The signed-in person's second factor: set it up with a QR code, see
//! their recovery codes once, or turn it off; and an administrator's reset
//! of someone else's.

use crate::actions::ActionError;
use crate::actions::second_factor::{
    Setup, begin_setup, confirm_setup, is_on, reset_for, turn_off,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::validation::FieldErrors;

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    on: bool,
    /// While setting up: the QR code and secret.
    setup: Option<Setup>,
    /// Just turned on: the recovery codes, shown this once.
    codes: Vec<String>,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    (codes, errors): (Vec<String>, FieldErrors),
) -> Result<SecondFactorPage, WebError> {
    let on = is_on(&state.ctx, user.actor.user_id).await?;
    let setup = if on {
        None
    } else {
        Some(begin_setup(&state.ctx, &user.actor).await?)
    };
    Ok(SecondFactorPage {
        layout: Layout::new("Second factor", user, state.demo),
        on,
        setup,
        codes,
        errors,
    })
}

/// GET /account/second-factor
pub async fn show_second_factor(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let page = page(&state, &user, (Vec::new(), FieldErrors::new())).await?;
    Ok(render(&page)?.into_response())
}

/// POST /account/second-factor (`code`): turn it on with a code from the app.
pub async fn confirm_second_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    match confirm_setup(&state.ctx, &user.actor, &form.get("code")).await {
        Ok(codes) => {
            let page = page(&state, &user, (codes, FieldErrors::new())).await?;
            Ok(render(&page)?.into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let page = page(&state, &user, (Vec::new(), errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /account/second-factor/off (`password`)
pub async fn turn_second_factor_off(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    match turn_off(&state.ctx, &user.actor, &form.get("password")).await {
        Ok(()) => Ok(Redirect::to("/account/second-factor").into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = page(&state, &user, (Vec::new(), errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /users/{user_id}/second-factor/reset: an administrator resets it.
pub async fn reset_user_second_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id = id.parse().map_err(|_| WebError::NotFound)?;
    reset_for(&state.ctx, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/users/{id}?done=second_factor_reset")).into_response())
}
