//! Signing in and out.

use crate::actions::ActionError;
use crate::actions::sessions::{ABSOLUTE_TIMEOUT_SECONDS, sign_in, sign_out};
use crate::web::auth::{CsrfForm, CsrfToken};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::{AppState, cookies};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::validation::FieldErrors;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    email: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

/// Query of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    signed_out: Option<String>,
}

/// GET /login
pub async fn show_login(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let notice = if q.expired.is_some() {
        Some("Your session has ended. Sign in again to carry on.")
    } else if q.signed_out.is_some() {
        Some("You have signed out.")
    } else {
        None
    };
    let page = LoginPage {
        layout: Layout::public("Sign in", state.demo),
        csrf: csrf.0,
        email: String::new(),
        errors: FieldErrors::new(),
        notice,
    };
    Ok(render(&page)?.into_response())
}

/// POST /login
pub async fn create_session(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    csrf: CsrfToken,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let email = form.get("email");
    let old = cookies::get(&headers, cookies::SESSION);
    let ip = client_address(&headers, addr, state.trust_proxy);
    match sign_in(
        &state.ctx,
        &email,
        &form.get("password"),
        &ip,
        old.as_deref(),
    )
    .await
    {
        Ok(signed_in) => {
            let cookie = cookies::set(
                cookies::SESSION,
                &signed_in.secret,
                "Lax",
                cookies::secure(state.secure_cookies, &headers),
                Some(ABSOLUTE_TIMEOUT_SECONDS),
            );
            let mut resp = Redirect::to("/").into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.into()))?,
            );
            Ok(resp)
        }
        Err(ActionError::Invalid(errors)) => relogin(
            &state,
            csrf,
            email,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(ActionError::Throttled {
            retry_after_seconds,
        }) => {
            let mut errors = FieldErrors::new();
            let minutes = (retry_after_seconds + 59) / 60;
            errors.add(
                "email",
                format!("Too many attempts to sign in. For your security, wait {minutes} minutes and try again, or ask your manager to reset your password."),
            );
            relogin(&state, csrf, email, errors, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => Err(e.into()),
    }
}

/// The address sign-in throttling counts: the socket's peer, or behind a
/// trusted proxy the last address it appended to `X-Forwarded-For`.
pub fn client_address(headers: &HeaderMap, peer: SocketAddr, trust_proxy: bool) -> String {
    let forwarded = trust_proxy
        .then(|| {
            headers
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()
                .map(str::trim)
                .map(str::to_owned)
        })
        .flatten()
        .filter(|a| a.parse::<std::net::IpAddr>().is_ok());
    forwarded.unwrap_or_else(|| peer.ip().to_string())
}

fn relogin(
    state: &AppState,
    csrf: CsrfToken,
    email: String,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = LoginPage {
        layout: Layout::public("Sign in", state.demo),
        csrf: csrf.0,
        email,
        errors,
        notice: None,
    };
    Ok((status, render(&page)?).into_response())
}

/// POST /logout
pub async fn delete_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    if let Some(secret) = cookies::get(&headers, cookies::SESSION) {
        sign_out(&state.ctx, &secret).await?;
    }
    let mut resp = Redirect::to("/login?signed_out=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookies::clear(
            cookies::SESSION,
            cookies::secure(state.secure_cookies, &headers),
        ))
        .map_err(|e| WebError::Internal(e.into()))?,
    );
    Ok(resp)
}
