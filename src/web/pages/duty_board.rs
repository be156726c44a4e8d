//! GET /duties: statutory duties still to be done in the reader's services,
//! overdue first, filtered to a service or a region.

use crate::actions::duty_board::open_duties;
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use candour_domain::display;
use std::collections::HashMap;

/// One open duty, ready to show.
pub struct BoardRow {
    /// The incident's reference.
    pub reference: String,
    /// The duty's code.
    pub duty: &'static str,
    /// The duty in words.
    pub label: &'static str,
    /// The service.
    pub service: String,
    /// When due, in words.
    pub due: String,
    /// `overdue`, `soon` (within a day) or empty.
    pub urgency: &'static str,
    /// What to do next.
    pub next: &'static str,
}

#[derive(Template)]
#[template(path = "duty_board.html")]
struct BoardPage {
    layout: Layout,
    rows: Vec<BoardRow>,
    overdue: usize,
    services: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    service: String,
    region: String,
    scope: String,
}

/// GET /duties?service=…&region=…
pub async fn show_duty_board(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (service, region) = super::scope_query(&q)?;
    let (open, scope) = open_duties(&state.ctx, &user.actor, service, region).await?;
    let now = state.ctx.clock.now();
    let soon = now
        .checked_add(jiff::SignedDuration::from_hours(24))
        .unwrap_or(now);
    let rows: Vec<BoardRow> = open
        .iter()
        .map(|d| BoardRow {
            reference: d.reference.to_string(),
            duty: d.duty.code(),
            label: d.duty.label(),
            service: d.service_name.clone(),
            due: d.due_at.map(display::date_time).unwrap_or_default(),
            urgency: if d.overdue {
                "overdue"
            } else if d.due_at.is_some_and(|t| t <= soon) {
                "soon"
            } else {
                ""
            },
            next: d.next,
        })
        .collect();
    let page = BoardPage {
        layout: Layout::new(
            format!("Statutory duties to do in {}", scope.label),
            &user,
            state.demo,
        ),
        overdue: rows.iter().filter(|r| r.urgency == "overdue").count(),
        rows,
        services: scope
            .services
            .iter()
            .map(|s| (s.service_id.to_string(), s.name.clone()))
            .collect(),
        regions: scope
            .regions
            .iter()
            .map(|r| (r.region_id.to_string(), r.name.clone()))
            .collect(),
        service: service.map(|s| s.to_string()).unwrap_or_default(),
        region: region.map(|r| r.to_string()).unwrap_or_default(),
        scope: scope.label,
    };
    Ok(render(&page)?.into_response())
}
