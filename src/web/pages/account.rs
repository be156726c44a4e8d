//! The signed-in user's own account: change password, personal API tokens.

use crate::actions::ActionError;
use crate::actions::accounts::change_own_password;
use crate::actions::tokens::{create_token, revoke_own_token};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::ids::ApiTokenId;
use candour_domain::validation::FieldErrors;

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    errors: FieldErrors,
}

/// GET /account/password
pub async fn show_password_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let page = PasswordPage {
        layout: Layout::new("Change your password", &user, state.demo),
        errors: FieldErrors::new(),
    };
    Ok(render(&page)?.into_response())
}

/// POST /account/password. Every session ends; the user signs in again with the new password.
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let result = change_own_password(
        &state.ctx,
        &user.actor,
        &form.get("current_password"),
        &form.get("new_password"),
        &form.get("confirm_password"),
    )
    .await;
    match result {
        Ok(()) => Ok(Redirect::to("/login?expired=1").into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = PasswordPage {
                layout: Layout::new("Change your password", &user, state.demo),
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A token line.
pub struct TokenLine {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Created.
    pub created: String,
    /// Revoked, when.
    pub revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenLine>,
    new_secret: Option<String>,
    errors: FieldErrors,
}

async fn tokens_page(
    state: &AppState,
    user: &CurrentUser,
    new_secret: Option<String>,
    errors: FieldErrors,
) -> Result<TokensPage, WebError> {
    let tokens = state
        .ctx
        .store
        .tokens_of(user.actor.user_id)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.api_token_id.to_string(),
            label: t.label,
            created: display::date_time_ms(t.created_at_ms),
            revoked: t
                .revoked_at_ms
                .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                .map(display::date_time),
        })
        .collect();
    Ok(TokensPage {
        layout: Layout::new("API tokens", user, state.demo),
        tokens,
        new_secret,
        errors,
    })
}

/// GET /account/tokens
pub async fn list_tokens(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    Ok(render(&tokens_page(&state, &user, None, FieldErrors::new()).await?)?.into_response())
}

/// POST /account/tokens: the secret is shown once, on the page that answers.
pub async fn create_api_token(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    match create_token(
        &state.ctx,
        user.actor.user_id,
        &form.get("label"),
        &user.actor.audit_name(),
    )
    .await
    {
        Ok((_, secret)) => Ok(render(
            &tokens_page(&state, &user, Some(secret), FieldErrors::new()).await?,
        )?
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = tokens_page(&state, &user, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /account/tokens/{id}/revoke
pub async fn revoke_api_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id: ApiTokenId = id.parse().map_err(|_| WebError::NotFound)?;
    revoke_own_token(&state.ctx, &user.actor, id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
