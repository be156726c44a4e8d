//! The web layer: axum router, pages (HTML), api (JSON), operations endpoints.
//!
//! Handlers are thin: parse input, call an action, render. Errors go through
//! [`error::WebError`] (pages) or [`error::ApiError`] (API).

pub mod api;
pub mod auth;
pub mod bodymap;
pub mod cookies;
pub mod error;
pub mod layout;
pub mod metrics;
pub mod nul;
mod page_routes;
pub mod pages;
pub mod server;

pub use server::{serve, serve_metrics};

use crate::actions::Ctx;
use askama::Template;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use error::{ErrorToRender, InternalCause, WebError};
use std::sync::Arc;
use std::time::Instant;

/// Largest request body accepted (forms and JSON).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Store and clock for actions.
    pub ctx: Ctx,
    /// Whether this database holds demo data (shows the banner).
    pub demo: bool,
    /// Whether cookies carry the Secure flag.
    pub secure_cookies: bool,
    /// Whether to take the client's address from `X-Forwarded-For` (behind a proxy).
    pub trust_proxy: bool,
    /// Largest attachment accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Request metrics.
    pub metrics: Arc<metrics::Metrics>,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: std::time::Duration,
    /// The bearer token `/metrics` asks for on the main address; without
    /// one it answers 404 there (it may be served apart: [`serve_metrics`]).
    pub metrics_token: Option<Arc<String>>,
}

impl AppState {
    /// Builds the state; reads the demo marker from the database.
    pub async fn new(ctx: Ctx, secure_cookies: bool) -> anyhow::Result<AppState> {
        let demo = ctx.store.setting("demo").await?.is_some();
        let (_, openapi) = api::router(0);
        Ok(AppState {
            ctx,
            demo,
            secure_cookies,
            trust_proxy: false,
            max_upload_bytes: crate::actions::attachments::DEFAULT_MAX_BYTES,
            metrics: Arc::new(metrics::Metrics::new()?),
            openapi_json: Arc::new(openapi.to_pretty_json()?),
            header_read_timeout: server::HEADER_READ_TIMEOUT,
            metrics_token: None,
        })
    }
}

/// The whole application's routes.
pub fn router(state: AppState) -> Router {
    let upload_limit = usize::try_from(state.max_upload_bytes)
        .unwrap_or(usize::MAX)
        .saturating_add(256 * 1024);
    let (api_routes, _) = api::router(upload_limit);
    let secure = state.secure_cookies;
    let pages = page_routes::page_routes(upload_limit)
        .fallback(not_found)
        .layer(middleware::from_fn(auth::csrf_cookie))
        .layer(middleware::from_fn(
            move |mut req: Request, next: Next| async move {
                req.extensions_mut().insert(auth::SecureCookies(secure));
                next.run(req).await
            },
        ));
    Router::new()
        .merge(api_routes)
        .route("/api/v1/openapi.json", get(openapi_document))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(guarded_metrics))
        .route("/assets/candour.css", get(stylesheet))
        .route(
            "/assets/offline.js",
            get(|| async { javascript(include_str!("../../assets/offline.js")) }),
        )
        .route(
            "/assets/report.js",
            get(|| async { javascript(include_str!("../../assets/report.js")) }),
        )
        // The service worker is served from the root so that it may control every page.
        .route(
            "/sw.js",
            get(|| async { javascript(include_str!("../../assets/sw.js")) }),
        )
        .merge(pages)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            render_error_pages,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(nul::strip_nul))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn not_found() -> WebError {
    WebError::NotFound
}

/// Counts and times every request, and logs each 5xx once with its cause chain.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let resp = next.run(req).await;
    let status = resp.status();
    state.metrics.record_request(
        &method,
        &route,
        status.as_u16(),
        started.elapsed().as_secs_f64(),
    );
    if status.is_server_error() {
        match resp.extensions().get::<InternalCause>() {
            Some(cause) => {
                tracing::error!(%method, %route, status = status.as_u16(), error = ?cause.0, "request failed")
            }
            None => tracing::error!(%method, %route, status = status.as_u16(), "request failed"),
        }
    }
    resp
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: layout::Layout,
    title: &'static str,
    detail: String,
}

/// Turns an [`ErrorToRender`] marker into a full page with the shared layout.
async fn render_error_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let Some(e) = resp.extensions().get::<ErrorToRender>().cloned() else {
        return resp;
    };
    let page = ErrorPage {
        layout: layout::Layout::public(e.title, state.demo),
        title: e.title,
        detail: e.detail,
    };
    let (mut parts, _) = resp.into_parts();
    let body = page.render().unwrap_or_else(|_| e.title.to_owned());
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// Headers every response carries: no framing, no sniffing, a strict CSP
/// (only our own assets), and no referrer sent to other sites (incident
/// references stay inside). `same-origin`, not `no-referrer`: with the latter
/// browsers send `Origin: null` on our own form posts, which the CSRF check refuses.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    // A handler may set a stricter policy (downloads are sandboxed).
    if !h.contains_key("content-security-policy") {
        h.insert(
            "content-security-policy",
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn openapi_document(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.as_str().to_owned(),
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.ctx.store.ready().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            let why = match e {
                crate::store::StoreError::Busy(_) => "database busy: writes cannot be made\n",
                _ => "database not reachable\n",
            };
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, error::BUSY_RETRY_SECONDS.to_string())],
                why,
            )
                .into_response()
        }
    }
}

/// `/metrics` on the main address: only with the metrics bearer token.
async fn guarded_metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match (&state.metrics_token, given) {
        (Some(want), Some(given))
            if crate::secrets::constant_time_eq(want.as_str(), given.trim()) =>
        {
            metrics_text(State(state)).await
        }
        (Some(_), _) => {
            let mut resp =
                (StatusCode::UNAUTHORIZED, "the metrics token is needed\n").into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            resp
        }
        (None, _) => WebError::NotFound.into_response(),
    }
}

/// Prometheus text: requests, pools and the email outbox.
pub(crate) async fn metrics_text(State(state): State<AppState>) -> Response {
    let pool = state.ctx.store.pool_stats();
    let outbox = match state.ctx.store.outbox_summary().await {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "the outbox could not be counted for /metrics");
            return (StatusCode::SERVICE_UNAVAILABLE, "database not reachable\n").into_response();
        }
    };
    let now = state.ctx.clock.now().as_millisecond();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(pool, &outbox, now),
    )
        .into_response()
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        Html(include_str!("../../assets/candour.css")),
    )
        .into_response()
}

/// A project-written script, always revalidated so a new release is picked up.
fn javascript(source: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        source,
    )
        .into_response()
}
