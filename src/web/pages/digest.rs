//! The daily digest in the app, and choosing whether to get it by email.

use crate::actions::digest::{Digest, choose_digest, digest_for, gets_digest};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "digest.html")]
struct DigestPage {
    layout: Layout,
    digest: Digest,
    subscribed: bool,
}

/// GET /digest: today's digest for the reader.
pub async fn show_digest(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let now = state.ctx.clock.now();
    let digest = digest_for(&state.ctx, &user.actor, now)
        .await?
        .ok_or(WebError::Forbidden)?;
    let page = DigestPage {
        layout: Layout::new("Daily digest", &user, state.demo),
        digest,
        subscribed: gets_digest(&state.ctx, &user.actor).await?,
    };
    Ok(render(&page)?.into_response())
}

/// POST /digest: get the digest by email (`subscribed=yes`) or not.
pub async fn change_digest(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    choose_digest(&state.ctx, &user.actor, form.get("subscribed") == "yes").await?;
    Ok(Redirect::to("/digest#email").into_response())
}
