//! Reports for managers and quality assurance: the monthly timescale breach
//! report (on a page and as CSV) and the monthly serious incident summary.

use super::incidents::Choice;
use crate::actions::board_report::{board_report, board_scopes, sent_board_report};
use crate::actions::reports::{BreachReport, breach_report, report_scopes};
use crate::actions::serious_summary::{SeriousSummary, serious_summary};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use candour_domain::monthly::Month;
use serde::Deserialize;

/// How many past months the month list offers.
const MONTHS_OFFERED: usize = 24;

/// `?month=2026-10&scope=region:…`
#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    month: Option<String>,
    scope: Option<String>,
    /// `now`: the board report worked out from today's records, not as sent.
    #[serde(rename = "as")]
    made_as: Option<String>,
}

#[derive(Template)]
#[template(path = "reports_index.html")]
struct IndexPage {
    layout: Layout,
    sees_incidents: bool,
    last_month: String,
}

/// GET /reports: the reports the reader can open.
pub async fn show_reports(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    board_scopes(&state.ctx, &user.actor).await?;
    let page = IndexPage {
        sees_incidents: report_scopes(&state.ctx, &user.actor).await.is_ok(),
        layout: Layout::new("Reports", &user, state.demo),
        last_month: Month::containing(state.ctx.clock.now()).previous().label(),
    };
    Ok(render(&page)?.into_response())
}

/// The month and services a report shows, as choices.
pub struct Picker {
    /// Where the form goes.
    pub action: &'static str,
    /// Months, newest first.
    pub months: Vec<Choice>,
    /// Scopes.
    pub scopes: Vec<Choice>,
}

async fn picker(
    state: &AppState,
    user: &CurrentUser,
    action: &'static str,
    (month, scope): (Month, &str),
) -> Result<Picker, WebError> {
    let scopes = report_scopes(&state.ctx, &user.actor).await?;
    Ok(picker_of(state, action, (month, scope), scopes))
}

/// A picker over `scopes`.
fn picker_of(
    state: &AppState,
    action: &'static str,
    (month, scope): (Month, &str),
    scopes: Vec<crate::actions::reports::ReportScope>,
) -> Picker {
    let this = Month::containing(state.ctx.clock.now());
    let mut months = Vec::new();
    let mut m = this;
    for _ in 0..MONTHS_OFFERED {
        months.push(Choice {
            value: m.code(),
            label: if m == this {
                format!("{} (so far)", m.label())
            } else {
                m.label()
            },
            selected: m == month,
        });
        m = m.previous();
    }
    let scopes = scopes
        .into_iter()
        .map(|s| Choice {
            selected: s.code == scope,
            value: s.code,
            label: s.label,
        })
        .collect();
    Picker {
        action,
        months,
        scopes,
    }
}

#[derive(Template)]
#[template(path = "reports_breaches.html")]
struct BreachPage {
    layout: Layout,
    r: BreachReport,
    picker: Picker,
    csv_link: String,
}

/// The month asked for: last month when none is given; an unreadable one is not found.
fn month_of(state: &AppState, q: &ReportQuery) -> Result<Month, WebError> {
    match q.month.as_deref() {
        None | Some("") => Ok(Month::containing(state.ctx.clock.now()).previous()),
        Some(m) => Month::parse(m).ok_or(WebError::NotFound),
    }
}

/// GET /reports/breaches
pub async fn show_breach_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let month = month_of(&state, &q)?;
    let r = breach_report(&state.ctx, &user.actor, month, q.scope.as_deref()).await?;
    let picker = picker(&state, &user, "/reports/breaches", (month, &r.scope.code)).await?;
    let csv_link = format!(
        "/reports/breaches.csv?{}",
        serde_urlencoded::to_string([("month", month.code()), ("scope", r.scope.code.clone())])
            .unwrap_or_default()
    );
    let page = BreachPage {
        layout: Layout::new(
            format!("Timescale breaches in {}", month.label()),
            &user,
            state.demo,
        ),
        r,
        picker,
        csv_link,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "reports_serious.html")]
struct SeriousPage {
    layout: Layout,
    r: SeriousSummary,
    picker: Picker,
}

/// GET /reports/serious-incidents
pub async fn show_serious_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let month = month_of(&state, &q)?;
    let r = serious_summary(&state.ctx, &user.actor, month, q.scope.as_deref()).await?;
    let picker = picker(
        &state,
        &user,
        "/reports/serious-incidents",
        (month, &r.scope.code),
    )
    .await?;
    let page = SeriousPage {
        layout: Layout::new(
            format!("Serious incidents in {}", month.label()),
            &user,
            state.demo,
        ),
        r,
        picker,
    };
    Ok(render(&page)?.into_response())
}

/// GET /reports/breaches.csv
pub async fn breach_report_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let month = month_of(&state, &q)?;
    let r = breach_report(&state.ctx, &user.actor, month, q.scope.as_deref()).await?;
    let name = format!("candour-breaches-{}.csv", month.code());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        r.csv(),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "reports_board.html")]
struct BoardPage {
    layout: Layout,
    doc: candour_pdf::BoardReport,
    /// Each chart's SVG, base64 for a data address.
    images: Vec<String>,
    picker: Picker,
    pdf_link: String,
    /// When the report was sent to the board, and the link to it as sent.
    sent: Option<(String, String)>,
}

/// GET /reports/board: the monthly board report for the organisation or a region.
pub async fn show_board_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let month = month_of(&state, &q)?;
    let r = board_report(&state.ctx, &user.actor, month, q.scope.as_deref()).await?;
    let scopes = board_scopes(&state.ctx, &user.actor).await?;
    let picker = picker_of(&state, "/reports/board", (month, &r.scope.code), scopes);
    let pdf_link = format!(
        "/reports/board.pdf?{}",
        serde_urlencoded::to_string([("month", month.code()), ("scope", r.scope.code.clone())])
            .unwrap_or_default()
    );
    let sent = sent_board_report(&state.ctx, &user.actor, month, Some(&r.scope.code))
        .await?
        .map(|s| {
            (
                candour_domain::display::date_time_ms(s.made_at_ms),
                pdf_link.clone(),
            )
        });
    let pdf_link = if sent.is_some() {
        format!("{pdf_link}&as=now")
    } else {
        pdf_link
    };
    let mut page = BoardPage {
        layout: Layout::new(
            format!("Board report: {}", month.label()),
            &user,
            state.demo,
        ),
        images: Vec::new(),
        doc: r.document(),
        picker,
        pdf_link,
        sent,
    };
    page.images = page
        .doc
        .charts
        .iter()
        .map(|c| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&c.svg)
        })
        .collect();
    Ok(render(&page)?.into_response())
}

/// GET /reports/board.pdf: the same as a tagged PDF.
pub async fn board_report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let month = month_of(&state, &q)?;
    if q.made_as.as_deref() != Some("now")
        && let Some(sent) =
            sent_board_report(&state.ctx, &user.actor, month, q.scope.as_deref()).await?
    {
        let name = format!("candour-board-report-{}-as-sent.pdf", month.code());
        return Ok((
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            sent.pdf,
        )
            .into_response());
    }
    let r = board_report(&state.ctx, &user.actor, month, q.scope.as_deref()).await?;
    let typesetter = state.ctx.typesetter.clone();
    let pdf = tokio::task::spawn_blocking(move || r.pdf(&typesetter))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("the board report PDF stopped: {e}")))??;
    let name = format!("candour-board-report-{}.pdf", month.code());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}
