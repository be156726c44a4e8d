//! The web layer's one error type, rendered as an HTML page or as
//! `application/problem+json` (RFC 9457) for the API.
//!
//! Rules: `IntoResponse` never logs. A 5xx puts its cause into the response
//! extensions and the logging middleware in `web::mod` writes it once, with
//! the cause chain. Field errors always name the field.

use crate::actions::ActionError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use candour_domain::validation::FieldErrors;
use serde_json::json;
use std::sync::Arc;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Unknown page or record (also another organisation's record).
    #[error("Page not found")]
    NotFound,
    /// Signed in, but not allowed.
    #[error("You do not have permission to see this page")]
    Forbidden,
    /// Not signed in (pages send the browser to sign in).
    #[error("Sign in to continue")]
    Unauthenticated,
    /// A session cookie was sent but the session has ended (idle, too old, signed out).
    #[error("Your session has ended")]
    SessionEnded,
    /// The organisation requires a second factor of this person, and they
    /// have not set one up: pages send them to set it up first.
    #[error("Set up your second factor to carry on")]
    SecondFactorNeeded,
    /// The form's anti-forgery check failed.
    #[error(
        "This form has expired or was not sent from Candour. Go back, reload the page and try again."
    )]
    Csrf,
    /// Input broke rules (API only; pages re-render their form instead).
    #[error("The request has problems: {0}")]
    Invalid(FieldErrors),
    /// The request body could not be read.
    #[error("{0}")]
    BadRequest(String),
    /// Someone else changed the record, or a unique value is taken.
    #[error("{0}")]
    Conflict(String),
    /// A workflow guard refused the move, for these reasons.
    #[error("{}", .0.join(". "))]
    Refused(Vec<String>),
    /// The record changed since the version given in `If-Match` (API only).
    #[error("{0}")]
    PreconditionFailed(String),
    /// A change that must say which version it was made on came without `If-Match`.
    #[error(
        "Send the record's version in an If-Match header (its ETag, such as \"3\"), so that a change made since is not overwritten"
    )]
    PreconditionRequired,
    /// The request body is larger than the server accepts.
    #[error("What was sent is larger than Candour accepts")]
    TooLarge,
    /// Too many attempts; the seconds until the next may be made.
    #[error("Too many attempts. Try again in {}.", candour_domain::throttle::wait_in_words(*.0))]
    Throttled(i64),
    /// The database could not take the work in time.
    #[error(
        "Candour is busy just now and what you sent was not saved. Try again in a few seconds."
    )]
    Busy,
    /// A fault that is not the user's.
    #[error("Sorry, there is a problem with the service")]
    Internal(#[source] anyhow::Error),
}

impl From<ActionError> for WebError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::NotFound => WebError::NotFound,
            ActionError::Forbidden => WebError::Forbidden,
            ActionError::Unauthenticated => WebError::Unauthenticated,
            ActionError::Invalid(f) => WebError::Invalid(f),
            ActionError::Conflict(m) => WebError::Conflict(m),
            ActionError::Refused(r) => WebError::Refused(r),
            ActionError::Throttled {
                retry_after_seconds,
            } => WebError::Throttled(retry_after_seconds),
            ActionError::Busy => WebError::Busy,
            ActionError::Internal(e) => WebError::Internal(e),
        }
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> Self {
        ActionError::from(e).into()
    }
}

impl WebError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Forbidden | WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::Unauthenticated | WebError::SessionEnded => StatusCode::UNAUTHORIZED,
            WebError::SecondFactorNeeded => StatusCode::SEE_OTHER,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) | WebError::Refused(_) => StatusCode::CONFLICT,
            WebError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            WebError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WebError::NotFound => "Page not found",
            WebError::Forbidden => "You do not have permission",
            WebError::Unauthenticated | WebError::SessionEnded => "Sign in to continue",
            WebError::SecondFactorNeeded => "Set up your second factor",
            WebError::Csrf => "This form has expired",
            WebError::Invalid(_) => "There is a problem with what was sent",
            WebError::BadRequest(_) => "The request could not be read",
            WebError::Conflict(_) => "Someone else changed this",
            WebError::Refused(_) => "This cannot be done yet",
            WebError::PreconditionFailed(_) => "Someone else changed this",
            WebError::PreconditionRequired => "Say which version you changed",
            WebError::TooLarge => "What was sent is too large",
            WebError::Throttled(_) => "Too many attempts",
            WebError::Busy => "Candour is busy",
            WebError::Internal(_) => "Sorry, there is a problem with the service",
        }
    }

    /// The detail shown to the user: never the internal cause.
    fn detail(&self) -> String {
        match self {
            WebError::NotFound => "If you typed the web address, check it is correct. The record may not exist, or it may not be one you can see.".to_owned(),
            WebError::Internal(_) => "Your last change was not saved unless you saw a confirmation. Try again later; if it keeps happening, tell your administrator.".to_owned(),
            other => other.to_string(),
        }
    }

    fn finish(self, mut resp: Response) -> Response {
        match self {
            WebError::Internal(e) => {
                resp.extensions_mut().insert(InternalCause(Arc::new(e)));
            }
            WebError::Throttled(seconds) => {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            }
            WebError::Busy => {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECONDS));
            }
            _ => {}
        }
        resp
    }
}

/// How long a client is asked to wait after a busy answer.
pub const BUSY_RETRY_SECONDS: i64 = 5;

/// The cause of a 5xx, for the logging middleware.
#[derive(Clone, Debug)]
pub struct InternalCause(pub Arc<anyhow::Error>);

/// A page error waiting to be rendered with the full layout by
/// `web::render_error_pages`, which has the app state (demo banner, user).
#[derive(Clone, Debug)]
pub struct ErrorToRender {
    /// The page's heading.
    pub title: &'static str,
    /// What the user should know or do.
    pub detail: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            WebError::Unauthenticated => {
                return axum::response::Redirect::to("/login").into_response();
            }
            WebError::SessionEnded => {
                return axum::response::Redirect::to("/login?expired=1").into_response();
            }
            WebError::SecondFactorNeeded => {
                return axum::response::Redirect::to("/account/second-factor").into_response();
            }
            _ => {}
        }
        let mut resp = (status, self.title()).into_response();
        resp.extensions_mut().insert(ErrorToRender {
            title: self.title(),
            detail: self.detail(),
        });
        self.finish(resp)
    }
}

/// The same error rendered as `application/problem+json` for the API.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = e.status();
        let mut body = json!({
            "type": format!("https://candour.invalid/problems/{}", status.as_u16()),
            "title": e.title(),
            "status": status.as_u16(),
            "detail": e.detail(),
        });
        if let WebError::Refused(reasons) = &e {
            body["reasons"] = json!(reasons);
        }
        if let WebError::Invalid(fields) = &e {
            // Each error names its field and points at it in the request body.
            body["errors"] = fields
                .0
                .iter()
                .map(|f| {
                    let pointer = candour_domain::validation::FieldErrors::pointer(f);
                    json!({"field": f.field, "pointer": pointer, "message": f.message})
                })
                .collect();
        }
        let mut resp = (status, body.to_string()).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let WebError::Unauthenticated = e {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"candour\""),
            );
        }
        e.finish(resp)
    }
}

/// Renders a template, or a 500 when rendering itself fails.
pub fn render(t: &impl askama::Template) -> Result<Html<String>, WebError> {
    t.render()
        .map(Html)
        .map_err(|e| WebError::Internal(e.into()))
}
