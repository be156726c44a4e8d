//! Who is asking: the signed-in user of a page (session cookie) or the owner
//! of an API token (bearer). Also the anti-forgery (CSRF) check for forms.
//!
//! CSRF defence: every form repeats a token in a hidden `csrf_token` field,
//! and when the browser sends `Origin`, it must be ours. For a signed-in
//! person the token is made from their session's secret ([`session_csrf`]),
//! which only their browser holds (HttpOnly), so someone who can plant a
//! cookie for the site still cannot forge it. Before sign-in (the sign-in
//! form, the public report form, case codes) it is a double-submit token: a
//! random `candour_csrf` cookie (HttpOnly, SameSite=Strict) repeated in the
//! form. The API takes bearer tokens only, never cookies, so it needs no token.

use super::{AppState, cookies, error::ApiError, error::WebError};
use crate::actions::{Actor, sessions::actor_from_session, tokens::actor_from_token};
use crate::secrets::{constant_time_eq, hash_secret, new_secret};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, Method, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The signed-in user of a page, with the CSRF token to put in its forms.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Who they are and what they may do.
    pub actor: Actor,
    /// The value for hidden `csrf_token` fields.
    pub csrf: String,
    /// How many notifications they have not read (shown beside "My reports").
    pub unread: i64,
    /// The key (base64) this person's offline queue is sealed with on a
    /// shared phone: theirs on every sign-in, nobody else's.
    pub queue_key: Option<String>,
}

/// The CSRF token of this request (set by [`csrf_cookie`]).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = WebError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or(WebError::Csrf)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret =
            cookies::get(&parts.headers, cookies::SESSION).ok_or(WebError::Unauthenticated)?;
        let actor = actor_from_session(&state.ctx, &secret)
            .await
            .map_err(|e| match e {
                crate::actions::ActionError::Unauthenticated => WebError::SessionEnded,
                other => other.into(),
            })?;
        // Someone the organisation requires a second factor of sets it up
        // before anything else (or signs out).
        let path = parts.uri.path();
        if !path.starts_with("/account/second-factor")
            && path != "/logout"
            && crate::actions::second_factor::must_set_up(&state.ctx, &actor).await?
        {
            return Err(WebError::SecondFactorNeeded);
        }
        let csrf = CsrfToken::from_request_parts(parts, state).await?.0;
        let unread = state
            .ctx
            .store
            .unread_count(actor.user_id)
            .await
            .map_err(|e| WebError::Internal(e.into()))?;
        let queue_key = state.ctx.store.audit_key().map(|k| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .encode(k.derived("offline-queue", &actor.user_id.to_string()))
        });
        Ok(CurrentUser {
            actor,
            csrf,
            unread,
            queue_key,
        })
    }
}

/// The owner of the bearer token of an API request.
#[derive(Debug, Clone)]
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError(WebError::Unauthenticated))?;
        Ok(ApiUser(actor_from_token(&state.ctx, token.trim()).await?))
    }
}

/// Gives every browser a CSRF cookie, and refuses cross-site form posts by `Origin`.
pub async fn csrf_cookie(mut req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !req.uri().path().starts_with("/api/") && !same_origin(&req) {
        return WebError::Csrf.into_response();
    }
    let existing = cookies::get(req.headers(), cookies::CSRF);
    let (cookie_token, fresh) = match existing {
        Some(t) => (t, false),
        None => match new_secret("") {
            Ok(t) => (t, true),
            Err(e) => return WebError::Internal(e).into_response(),
        },
    };
    let expected = expected_token(req.headers(), &cookie_token);
    req.extensions_mut().insert(CsrfToken(expected));
    let token = cookie_token;
    let secure = cookies::secure(
        req.extensions().get::<SecureCookies>().is_some_and(|s| s.0),
        req.headers(),
    );
    let page_read = matches!(*req.method(), Method::GET | Method::HEAD);
    let mut resp = next.run(req).await;
    // Only a page (which may hold a form) sets a new token. Anything else
    // answered without one (a script's request, a redirect, a style sheet)
    // leaves the cookie alone: arriving alongside a page, it would replace
    // the token that page's form carries, and the form would be refused.
    let is_page = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if fresh
        && page_read
        && is_page
        && let Ok(v) =
            HeaderValue::from_str(&cookies::set(cookies::CSRF, &token, "Strict", secure, None))
    {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The CSRF token of a signed-in session: derived from the session's secret
/// (never the hash the database keeps), so it changes at every sign-in.
pub fn session_csrf(session_secret: &str) -> String {
    hash_secret(&format!("csrf:{session_secret}"))
}

/// The token forms must carry: the session's, when a session cookie is
/// sent, else the double-submit cookie's.
fn expected_token(headers: &axum::http::HeaderMap, cookie_token: &str) -> String {
    match cookies::get(headers, cookies::SESSION) {
        Some(session) => session_csrf(&session),
        None => cookie_token.to_owned(),
    }
}

/// Whether cookies carry the Secure flag (set as a request extension by the router).
#[derive(Debug, Clone, Copy)]
pub struct SecureCookies(pub bool);

fn same_origin(req: &Request) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true; // Older browsers and non-browser clients send no Origin; the token still guards.
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin.split_once("://").map(|(_, h)| h) == Some(host)
}

/// A submitted form whose CSRF token has been checked. Keeps every pair in
/// order, so repeated fields (checkboxes) are not lost.
#[derive(Debug, Clone, Default)]
pub struct CsrfForm {
    pairs: Vec<(String, String)>,
}

impl CsrfForm {
    /// A form restored from saved fields (a draft), not from a request.
    pub(crate) fn restored(pairs: Vec<(String, String)>) -> CsrfForm {
        CsrfForm { pairs }
    }

    /// Every (name, value) pair, in the order sent.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value of `name`, or empty.
    pub fn get(&self, name: &str) -> String {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl FromRequest<AppState> for CsrfForm {
    type Rejection = WebError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let expected = match cookies::get(req.headers(), cookies::SESSION) {
            Some(session) => Some(session_csrf(&session)),
            None => cookies::get(req.headers(), cookies::CSRF),
        };
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                WebError::TooLarge
            } else {
                WebError::BadRequest("The form could not be read".to_owned())
            }
        })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::BadRequest("The form could not be read".to_owned()))?;
        let form = CsrfForm { pairs };
        match expected {
            Some(t) if constant_time_eq(&t, &form.get("csrf_token")) => Ok(form),
            _ => Err(WebError::Csrf),
        }
    }
}
