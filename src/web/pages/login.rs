//! Signing in and out.

use crate::actions::ActionError;
use crate::actions::devices::{device_from_cookie, pin_people, sign_in_with_pin};
use crate::actions::second_factor::sign_in_with_code;
use crate::actions::sessions::{ABSOLUTE_TIMEOUT_SECONDS, SignInStep, sign_in, sign_out};
use crate::web::auth::{CsrfForm, CsrfToken};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::incidents::Choice;
use crate::web::{AppState, cookies};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::throttle::wait_in_words;
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
    /// On a trusted shared device: its name and who may sign in with a PIN.
    quick: Option<QuickSignIn>,
}

/// Quick sign-in on a trusted shared device.
pub struct QuickSignIn {
    /// The device's name.
    pub device: String,
    /// The service it is trusted for.
    pub service: String,
    /// People with a PIN there.
    pub people: Vec<Choice>,
    /// Problems with the PIN form.
    pub errors: FieldErrors,
}

/// The quick sign-in part of the page, when this browser is a trusted device.
pub(crate) async fn quick_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    chosen: &str,
    errors: FieldErrors,
) -> Result<Option<QuickSignIn>, WebError> {
    let Some(secret) = cookies::get(headers, cookies::DEVICE) else {
        return Ok(None);
    };
    let Some(device) = device_from_cookie(&state.ctx, &secret).await? else {
        return Ok(None);
    };
    let service = state
        .ctx
        .store
        .service(device.organisation_id, device.service_id)
        .await?;
    let people = pin_people(&state.ctx, &device)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            selected: id.to_string() == chosen,
            value: id.to_string(),
            label: name,
        })
        .collect();
    Ok(Some(QuickSignIn {
        device: device.label,
        service: service.name,
        people,
        errors,
    }))
}

/// Query of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    signed_out: Option<String>,
    password_set: Option<String>,
}

/// GET /login
pub async fn show_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    csrf: CsrfToken,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let notice = if q.expired.is_some() {
        Some("Your session has ended. Sign in again to carry on.")
    } else if q.signed_out.is_some() {
        Some("You have signed out.")
    } else if q.password_set.is_some() {
        Some("Your password is set. Sign in with it now.")
    } else {
        None
    };
    let page = LoginPage {
        layout: Layout::public("Sign in", state.demo),
        csrf: csrf.0,
        email: String::new(),
        errors: FieldErrors::new(),
        notice,
        quick: quick_sign_in(&state, &headers, "", FieldErrors::new()).await?,
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
        Ok(SignInStep::Done(signed_in)) => signed_in_home(&state, &headers, &signed_in.secret),
        Ok(SignInStep::Code { challenge }) => {
            let page = CodePage {
                layout: Layout::public("Enter your code", state.demo),
                csrf: csrf.0,
                challenge,
                errors: FieldErrors::new(),
            };
            Ok(render(&page)?.into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            relogin(
                &state,
                &headers,
                csrf,
                email,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ActionError::Throttled {
            retry_after_seconds,
        }) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "email",
                format!("Too many attempts to sign in. For your security, wait {} and try again, or ask your manager to reset your password.", wait_in_words(retry_after_seconds)),
            );
            let mut resp = relogin(
                &state,
                &headers,
                csrf,
                email,
                errors,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await?;
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "login_code.html")]
struct CodePage {
    layout: Layout,
    csrf: String,
    challenge: String,
    errors: FieldErrors,
}

/// POST /login/code (`challenge`, `code`): the second step of signing in
/// with a second factor.
pub async fn create_session_with_code(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    csrf: CsrfToken,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let old = cookies::get(&headers, cookies::SESSION);
    let ip = client_address(&headers, addr, state.trust_proxy);
    let challenge = form.get("challenge");
    let errors = match sign_in_with_code(
        &state.ctx,
        &challenge,
        &form.get("code"),
        &ip,
        old.as_deref(),
    )
    .await
    {
        Ok(signed_in) => return signed_in_home(&state, &headers, &signed_in.secret),
        Err(ActionError::Unauthenticated) => {
            return Ok(Redirect::to("/login?expired=1").into_response());
        }
        Err(ActionError::Invalid(errors)) => errors,
        Err(ActionError::Throttled {
            retry_after_seconds,
        }) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "code",
                format!(
                    "Too many wrong codes. For your security, wait {} and sign in again.",
                    wait_in_words(retry_after_seconds)
                ),
            );
            errors
        }
        Err(e) => return Err(e.into()),
    };
    let page = CodePage {
        layout: Layout::public("Enter your code", state.demo),
        csrf: csrf.0,
        challenge,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// Sends a newly signed-in person home with their session cookie.
fn signed_in_home(
    state: &AppState,
    headers: &HeaderMap,
    secret: &str,
) -> Result<Response, WebError> {
    let cookie = cookies::set(
        cookies::SESSION,
        secret,
        "Lax",
        cookies::secure(state.secure_cookies, headers),
        Some(ABSOLUTE_TIMEOUT_SECONDS),
    );
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.into()))?,
    );
    Ok(resp)
}

/// POST /login/pin: quick sign-in with a PIN on a trusted shared device.
pub async fn create_pin_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    csrf: CsrfToken,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let device = cookies::get(&headers, cookies::DEVICE).unwrap_or_default();
    let old = cookies::get(&headers, cookies::SESSION);
    let chosen = form.get("pin_user");
    let errors = match sign_in_with_pin(
        &state.ctx,
        &device,
        &chosen,
        &form.get("pin"),
        old.as_deref(),
    )
    .await
    {
        Ok(signed_in) => return signed_in_home(&state, &headers, &signed_in.secret),
        Err(ActionError::Invalid(errors)) => errors,
        Err(ActionError::Throttled {
            retry_after_seconds,
        }) => {
            let mut errors = FieldErrors::new();
            errors.add(
                "pin",
                format!("Too many wrong PINs on this device. Wait {}, or sign in with your email and password.", wait_in_words(retry_after_seconds)),
            );
            errors
        }
        Err(e) => return Err(e.into()),
    };
    let page = LoginPage {
        layout: Layout::public("Sign in", state.demo),
        csrf: csrf.0,
        email: String::new(),
        errors: FieldErrors::new(),
        notice: None,
        quick: quick_sign_in(&state, &headers, &chosen, errors).await?,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
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

async fn relogin(
    state: &AppState,
    headers: &HeaderMap,
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
        quick: quick_sign_in(state, headers, "", FieldErrors::new()).await?,
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
