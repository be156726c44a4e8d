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
use axum::routing::{get, post};
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
    let pages = Router::new()
        .route("/", get(pages::home::show_home))
        .route(
            "/login",
            get(pages::login::show_login).post(pages::login::create_session),
        )
        .route("/login/pin", post(pages::login::create_pin_session))
        .route("/login/code", post(pages::login::create_session_with_code))
        .route(
            "/forgot-password",
            get(pages::password_links::show_forgot).post(pages::password_links::ask_for_reset),
        )
        .route(
            "/set-password/{secret}",
            get(pages::password_links::show_set_password).post(pages::password_links::set_password),
        )
        .route("/logout", post(pages::login::delete_session))
        .route(
            "/account/pin",
            get(pages::devices::show_pin_form).post(pages::devices::change_pin),
        )
        .route(
            "/services/{service_id}/devices",
            get(pages::devices::list_service_devices).post(pages::devices::create_trusted_device),
        )
        .route(
            "/services/{service_id}/devices/{device_id}/revoke",
            post(pages::devices::revoke_trusted_device),
        )
        .route(
            "/account/second-factor",
            get(pages::second_factor::show_second_factor)
                .post(pages::second_factor::confirm_second_factor),
        )
        .route(
            "/account/second-factor/off",
            post(pages::second_factor::turn_second_factor_off),
        )
        .route(
            "/users/{user_id}/second-factor/reset",
            post(pages::second_factor::reset_user_second_factor),
        )
        .route(
            "/account/password",
            get(pages::account::show_password_form).post(pages::account::change_password),
        )
        .route(
            "/account/tokens",
            get(pages::account::list_tokens).post(pages::account::create_api_token),
        )
        .route(
            "/account/tokens/{id}/revoke",
            post(pages::account::revoke_api_token),
        )
        .route("/incidents/new", get(pages::report::new_incident_form))
        .route("/incidents", post(pages::report::create_incident))
        .route("/incidents/drafts", post(pages::drafts::save_report_draft))
        .route(
            "/incidents/drafts/{id}/delete",
            post(pages::drafts::delete_draft),
        )
        .route(
            "/incidents/{reference}",
            get(pages::incident_page::show_incident_page),
        )
        .route(
            "/incidents/{reference}/history",
            get(pages::incidents::show_incident_history),
        )
        .route(
            "/incidents/{reference}/addenda",
            post(pages::incident_forms::create_addendum),
        )
        .route(
            "/incidents/{reference}/staff",
            post(pages::about_staff::name_staff),
        )
        .route(
            "/incidents/{reference}/breaches/{breach_id}",
            post(pages::incident_forms::explain_breach),
        )
        .route(
            "/incidents/{reference}/investigation",
            post(pages::investigations::create_investigation),
        )
        .route(
            "/investigations",
            get(pages::investigations::show_investigations),
        )
        .route(
            "/investigations/{reference}",
            get(pages::investigations::show),
        )
        .route(
            "/investigations/{reference}/meetings",
            post(pages::investigations::create_meeting),
        )
        .route(
            "/investigations/{reference}/timeline",
            post(pages::investigations::create_event),
        )
        .route(
            "/investigations/{reference}/factors",
            post(pages::investigations::create_factor),
        )
        .route(
            "/investigations/{reference}/findings",
            post(pages::investigations::update_findings),
        )
        .route(
            "/investigations/{reference}/complete",
            post(pages::investigations::complete_investigation),
        )
        .route(
            "/investigations/{reference}/actions",
            post(pages::investigations::create_action),
        )
        .route(
            "/investigations/{reference}/report",
            get(pages::investigations::show_report),
        )
        .route(
            "/investigations/{reference}/report.pdf",
            get(pages::investigations::report_pdf),
        )
        .route("/settings", get(pages::settings::show_settings))
        .route(
            "/settings/timescales",
            post(pages::settings::update_timescales),
        )
        .route("/settings/risk-bands", post(pages::settings::update_bands))
        .route("/settings/non-working-days", post(pages::settings::add_day))
        .route(
            "/settings/non-working-days/remove",
            post(pages::settings::remove_day),
        )
        .route("/settings/factors", post(pages::settings::add_factor))
        .route("/settings/on-call", post(pages::settings::update_on_call))
        .route("/settings/duties", post(pages::settings::update_duties))
        .route(
            "/settings/speaking-up",
            post(pages::settings::update_speak_up),
        )
        .route(
            "/settings/board-designate",
            post(pages::settings::update_board_designate),
        )
        .route(
            "/settings/retention",
            post(pages::settings::update_retention),
        )
        .route(
            "/settings/risk-rules",
            post(pages::settings::update_risk_rules),
        )
        .route(
            "/settings/charts",
            post(pages::settings::update_chart_settings),
        )
        .route(
            "/settings/factors/retire",
            post(pages::settings::set_factor_retired),
        )
        .route("/reports", get(pages::reports::show_reports))
        .route("/safety-cross", get(pages::safety_cross::show_safety_cross))
        .route(
            "/safety-cross/set",
            post(pages::safety_cross::choose_cross_set),
        )
        .route("/trends", get(pages::trends::show_trends))
        .route("/trends/changes/new", get(pages::trends::new_trend_change))
        .route("/trends/changes", post(pages::trends::record_trend_change))
        .route(
            "/occupancy",
            get(pages::occupancy::show_occupancy).post(pages::occupancy::save_occupancy),
        )
        .route("/trends/patterns", get(pages::trends::show_patterns))
        .route(
            "/safety-cross/notes",
            post(pages::safety_cross::add_day_note),
        )
        .route("/reports/breaches", get(pages::reports::show_breach_report))
        .route("/reports/board", get(pages::reports::show_board_report))
        .route(
            "/evidence",
            get(pages::evidence::evidence_form).post(pages::evidence::make_evidence_pack),
        )
        .route("/reports/board.pdf", get(pages::reports::board_report_pdf))
        .route(
            "/reports/serious-incidents",
            get(pages::reports::show_serious_summary),
        )
        .route(
            "/reports/breaches.csv",
            get(pages::reports::breach_report_csv),
        )
        .route(
            "/incidents/{reference}/openness",
            post(pages::incident_forms::create_openness),
        )
        .route(
            "/incidents/{reference}/moves",
            post(pages::incident_forms::create_move),
        )
        .route(
            "/incidents/{reference}/feedback",
            post(pages::incident_forms::create_feedback),
        )
        .route(
            "/incidents/{reference}/messages",
            post(pages::anonymous::reply_to_case),
        )
        .route(
            "/incidents/{reference}/attachments",
            post(pages::attachments::upload_attachment)
                // A little over the file limit, so a slightly large file gets a clear message.
                .layer(axum::extract::DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/incidents/{reference}/attachments/{id}",
            get(pages::attachments::download_attachment),
        )
        .route(
            "/report/{token}",
            get(pages::anonymous::show_public_form).post(pages::anonymous::create_public_report),
        )
        .route(
            "/case",
            get(pages::anonymous::show_case_form).post(pages::anonymous::open_case_page),
        )
        .route(
            "/speaking-up",
            get(pages::speaking_up::show_speaking_up).post(pages::speaking_up::raise_concern),
        )
        .route(
            "/speaking-up/case",
            get(pages::speaking_up::show_case_form).post(pages::speaking_up::open_case_page),
        )
        .route(
            "/speaking-up/{reference}",
            get(pages::speaking_up::show_concern),
        )
        .route(
            "/speaking-up/{reference}/acknowledgement",
            post(pages::speaking_up::acknowledge_concern),
        )
        .route(
            "/speaking-up/{reference}/messages",
            post(pages::speaking_up::send_message),
        )
        .route(
            "/speaking-up/{reference}/outcome",
            post(pages::speaking_up::record_outcome),
        )
        .route(
            "/services/{service_id}/poster",
            get(pages::anonymous::show_poster),
        )
        .route("/my-reports", get(pages::incidents::list_my_reports))
        .route("/triage", get(pages::triage::show_triage_queue))
        .route(
            "/incidents/{reference}/actions",
            post(pages::improvement::create_incident_action),
        )
        .route(
            "/services/{service_id}/improvement-plan",
            get(pages::improvement::show_improvement_plan)
                .post(pages::improvement::create_plan_action),
        )
        .route(
            "/actions/{reference}",
            get(pages::improvement::show_action).post(pages::improvement::update_action),
        )
        .route(
            "/actions/{reference}/incidents",
            post(pages::improvement::create_action_link),
        )
        .route(
            "/digest",
            get(pages::digest::show_digest).post(pages::digest::change_digest),
        )
        .route(
            "/services/{service_id}/triage",
            get(pages::triage::show_service_triage_queue),
        )
        .route("/users", get(pages::users::list_users))
        .route("/users.csv", get(pages::users::users_csv_download))
        .route(
            "/users/second-factor-policy",
            post(pages::users::change_second_factor_policy),
        )
        .route(
            "/users/new",
            get(pages::staff::new_user_form).post(pages::staff::invite_user),
        )
        .route("/users/{user_id}", get(pages::staff::show_user))
        .route("/users/{user_id}/disable", post(pages::staff::disable_user))
        .route("/users/{user_id}/enable", post(pages::staff::enable_user))
        .route(
            "/users/{user_id}/invitation",
            post(pages::staff::resend_user_invitation),
        )
        .route(
            "/users/{user_id}/invitation/withdraw",
            post(pages::staff::withdraw_user_invitation),
        )
        .route(
            "/users/{user_id}/reset-link",
            post(pages::staff::send_user_reset_link),
        )
        .route("/users/{user_id}/roles", post(pages::staff::add_user_roles))
        .route(
            "/users/{user_id}/roles/remove",
            post(pages::staff::remove_user_role),
        )
        .route("/duties", get(pages::duty_board::show_duty_board))
        .route(
            "/incidents/{reference}/duties",
            get(pages::duties::show_duties).post(pages::duties::record_facts),
        )
        .route(
            "/incidents/{reference}/duties/decision",
            post(pages::duties::record_decision),
        )
        .route(
            "/incidents/{reference}/duties/{duty}",
            get(pages::duty_task::show_duty),
        )
        .route(
            "/incidents/{reference}/duties/{duty}/steps",
            post(pages::duty_task::add_step),
        )
        .route(
            "/incidents/{reference}/duties/{duty}/draft",
            post(pages::duty_task::save_draft),
        )
        .route(
            "/incidents/{reference}/triage",
            get(pages::triage::show_triage_form).post(pages::triage::create_triage),
        )
        .route(
            "/services/{service_id}/incidents",
            get(pages::incidents::list_service_incidents),
        )
        .route(
            "/services/{service_id}/people",
            get(pages::people::list_service_people).post(pages::people::create_person),
        )
        .route(
            "/services/{service_id}/people/new",
            get(pages::people::new_person_form),
        )
        .route("/people/{person_id}", get(pages::people::show_person))
        .route(
            "/people/{person_id}/register",
            get(pages::person_register::show_register),
        )
        .route(
            "/people/{person_id}/details",
            post(pages::person_register::change_details),
        )
        .route(
            "/people/{person_id}/status",
            post(pages::person_register::change_status),
        )
        .route(
            "/people/{person_id}/learning-log",
            get(pages::learning::show_learning_log).post(pages::learning::create_learning_log),
        )
        .route(
            "/incidents/{reference}/reflection",
            get(pages::learning::show_reflection),
        )
        .route(
            "/incidents/{reference}/reflection/practice",
            post(pages::learning::create_practice),
        )
        .route(
            "/incidents/{reference}/reflection/involvement",
            post(pages::learning::create_involvement),
        )
        .route(
            "/supervision",
            get(pages::learning::show_supervision).post(pages::learning::create_supervision),
        )
        .route(
            "/lessons",
            get(pages::lessons::list_lessons).post(pages::lessons::create_lesson),
        )
        .route("/lessons/new", get(pages::lessons::new_lesson_form))
        .route(
            "/meetings",
            get(pages::meetings::list_meetings).post(pages::meetings::create_meeting),
        )
        .route("/meetings/new", get(pages::meetings::new_meeting_form))
        .route(
            "/alerts",
            get(pages::alerts::list_alerts).post(pages::alerts::create_alert),
        )
        .route("/alerts/{alert_id}", get(pages::alerts::show_alert))
        .route(
            "/alerts/{alert_id}/steps",
            post(pages::alerts::record_alert_step),
        )
        .route(
            "/alerts/{alert_id}/actions",
            post(pages::alerts::add_alert_action_form),
        )
        .route(
            "/alerts/{alert_id}/actions/{action_id}/done",
            post(pages::alerts::finish_alert_action_form),
        )
        .route("/meetings/{meeting_id}", get(pages::meetings::show_meeting))
        .route(
            "/meetings/{meeting_id}/record",
            post(pages::meetings::save_meeting_record),
        )
        .route(
            "/meetings/{meeting_id}/attendees",
            post(pages::meetings::add_meeting_attendee),
        )
        .route(
            "/meetings/{meeting_id}/actions",
            post(pages::meetings::add_meeting_action),
        )
        .route(
            "/meetings/{meeting_id}/publish",
            post(pages::meetings::publish_meeting),
        )
        .route("/lessons/{lesson_id}", get(pages::lessons::show_lesson))
        .route(
            "/lessons/{lesson_id}/acknowledge",
            post(pages::lessons::acknowledge_lesson),
        )
        .route(
            "/people/{person_id}/risk-review",
            post(pages::people::create_risk_review),
        )
        .route(
            "/people/{person_id}/subject-access",
            post(pages::people::export_subject_access),
        )
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
