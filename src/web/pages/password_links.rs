//! Choosing a password from a one-time link (an invitation or a reset), and
//! asking for a reset link from the sign-in page. Neither needs a session.

use crate::actions::ActionError;
use crate::actions::invitations::{
    RESET_MINUTES, forgot_password, open_link, set_password_by_link,
};
use crate::store::account_links::LinkPurpose;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CsrfToken};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::login::client_address;
use askama::Template;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::throttle::wait_in_words;
use candour_domain::validation::FieldErrors;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    layout: Layout,
    csrf: String,
    email: String,
    /// Set once asked: the same words whether or not the address has an account.
    sent: bool,
    minutes: i64,
    errors: FieldErrors,
}

fn forgot_page(state: &AppState, csrf: String, email: String, errors: FieldErrors) -> ForgotPage {
    ForgotPage {
        layout: Layout::public("Forgot your password?", state.demo),
        csrf,
        email,
        sent: false,
        minutes: RESET_MINUTES,
        errors,
    }
}

/// GET /forgot-password
pub async fn show_forgot(
    State(state): State<AppState>,
    csrf: CsrfToken,
) -> Result<Response, WebError> {
    let page = forgot_page(&state, csrf.0, String::new(), FieldErrors::new());
    Ok(render(&page)?.into_response())
}

/// POST /forgot-password (`email`)
pub async fn ask_for_reset(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    csrf: CsrfToken,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let email = form.get("email");
    let ip = client_address(&headers, addr, state.trust_proxy);
    match forgot_password(&state.ctx, &email, &ip).await {
        Ok(()) => {
            let page = ForgotPage {
                sent: true,
                ..forgot_page(&state, csrf.0, email, FieldErrors::new())
            };
            Ok(render(&page)?.into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let page = forgot_page(&state, csrf.0, email, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(ActionError::Throttled {
            retry_after_seconds,
        }) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "email",
                format!(
                    "Too many reset links asked for. Wait {} and try again, or ask your manager to send you one.",
                    wait_in_words(retry_after_seconds)
                ),
            );
            let page = forgot_page(&state, csrf.0, email, errors);
            let mut resp = (StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response();
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    layout: Layout,
    csrf: String,
    secret: String,
    name: String,
    email: String,
    invitation: bool,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "link_gone.html")]
struct LinkGonePage {
    layout: Layout,
}

fn link_gone(state: &AppState) -> Result<Response, WebError> {
    let page = LinkGonePage {
        layout: Layout::public("This link no longer works", state.demo),
    };
    Ok((StatusCode::NOT_FOUND, render(&page)?).into_response())
}

/// GET /set-password/{secret}
pub async fn show_set_password(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(secret): Path<String>,
) -> Result<Response, WebError> {
    let open = match open_link(&state.ctx, &secret).await {
        Ok(open) => open,
        Err(ActionError::NotFound) => return link_gone(&state),
        Err(e) => return Err(e.into()),
    };
    let invitation = open.link.purpose == LinkPurpose::Invitation;
    let page = SetPasswordPage {
        layout: Layout::public(
            if invitation {
                "Choose your password"
            } else {
                "Choose a new password"
            },
            state.demo,
        ),
        csrf: csrf.0,
        secret,
        name: open.user.display_name,
        email: open.user.email,
        invitation,
        errors: FieldErrors::new(),
    };
    let mut resp = render(&page)?.into_response();
    // The link is a secret: never sent on to another page.
    resp.headers_mut()
        .insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    Ok(resp)
}

/// POST /set-password/{secret} (`new_password`, `confirm_password`)
pub async fn set_password(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(secret): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    match set_password_by_link(
        &state.ctx,
        &secret,
        &form.get("new_password"),
        &form.get("confirm_password"),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/login?password_set=1").into_response()),
        Err(ActionError::NotFound) => link_gone(&state),
        Err(ActionError::Invalid(errors)) => {
            let open = match open_link(&state.ctx, &secret).await {
                Ok(open) => open,
                Err(ActionError::NotFound) => return link_gone(&state),
                Err(e) => return Err(e.into()),
            };
            let invitation = open.link.purpose == LinkPurpose::Invitation;
            let page = SetPasswordPage {
                layout: Layout::public("Choose your password", state.demo),
                csrf: csrf.0,
                secret,
                name: open.user.display_name,
                email: open.user.email,
                invitation,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
