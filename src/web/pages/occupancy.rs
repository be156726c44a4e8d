//! GET/POST /occupancy: a service's occupied bed days per month, the
//! denominator of trend rates.

use crate::actions::ActionError;
use crate::actions::occupancy::{Sheet, occupancy_sheet, record_occupancy};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::ids::ServiceId;
use candour_domain::validation::FieldErrors;
use std::collections::HashMap;

/// One month's line.
pub struct Line {
    /// `2026-11`.
    pub code: String,
    /// "November 2026".
    pub label: String,
    /// The figure recorded, or what was typed.
    pub bed_days: String,
    /// Version.
    pub version: i64,
    /// Who recorded it and when, in words.
    pub recorded: String,
    /// The problem with this line, if it was just sent.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "occupancy.html")]
struct OccupancyPage {
    layout: Layout,
    service: String,
    service_name: String,
    services: Vec<(String, String)>,
    lines: Vec<Line>,
    errors: FieldErrors,
    conflict: Option<String>,
}

fn page(
    state: &AppState,
    user: &CurrentUser,
    sheet: Sheet,
    (typed, errors, conflict): (Option<(String, String)>, FieldErrors, Option<String>),
) -> OccupancyPage {
    let lines = sheet
        .months
        .iter()
        .map(|(m, o)| {
            let mine = typed.as_ref().filter(|(month, _)| *month == m.code());
            Line {
                code: m.code(),
                label: m.label(),
                bed_days: match (mine, o) {
                    (Some((_, t)), _) => t.clone(),
                    (None, Some(o)) => o.bed_days.to_string(),
                    (None, None) => String::new(),
                },
                version: o.as_ref().map_or(0, |o| o.version),
                recorded: o
                    .as_ref()
                    .map(|o| {
                        format!(
                            "{}, {}",
                            o.updated.0,
                            candour_domain::display::date_time(o.updated.1)
                        )
                    })
                    .unwrap_or_default(),
                error: mine.and_then(|_| {
                    errors
                        .for_field("bed_days")
                        .or(errors.for_field("month"))
                        .map(str::to_owned)
                }),
            }
        })
        .collect();
    OccupancyPage {
        layout: Layout::new("Occupied bed days", user, state.demo),
        service: sheet.service.service_id.to_string(),
        service_name: sheet.service.name.clone(),
        services: sheet
            .services
            .iter()
            .map(|s| (s.service_id.to_string(), s.name.clone()))
            .collect(),
        lines,
        errors,
        conflict,
    }
}

fn service_in(v: &str) -> Result<Option<ServiceId>, WebError> {
    match v.trim() {
        "" => Ok(None),
        s => s
            .parse::<uuid::Uuid>()
            .map(|u| Some(ServiceId(u)))
            .map_err(|_| WebError::NotFound),
    }
}

/// GET /occupancy?service=…
pub async fn show_occupancy(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let service = service_in(q.get("service").map_or("", String::as_str))?;
    let sheet = occupancy_sheet(&state.ctx, &user.actor, service).await?;
    let p = page(&state, &user, sheet, (None, FieldErrors::new(), None));
    Ok(render(&p)?.into_response())
}

/// POST /occupancy: one month's figure.
pub async fn save_occupancy(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let Some(service) = service_in(&form.get("service"))? else {
        return Err(WebError::NotFound);
    };
    let (month, days) = (form.get("month"), form.get("bed_days"));
    let version = form.get("version").trim().parse::<i64>().unwrap_or(0);
    let again = |status: StatusCode, errors: FieldErrors, conflict: Option<String>| {
        let state = &state;
        let user = &user;
        let typed = Some((month.clone(), days.clone()));
        async move {
            let sheet = occupancy_sheet(&state.ctx, &user.actor, Some(service)).await?;
            let p = page(state, user, sheet, (typed, errors, conflict));
            Ok::<Response, WebError>((status, render(&p)?).into_response())
        }
    };
    match record_occupancy(&state.ctx, &user.actor, service, (&month, &days), version).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/occupancy?service={}#m-{}",
            service.0,
            month.trim()
        ))
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            again(StatusCode::UNPROCESSABLE_ENTITY, errors, None).await
        }
        Err(ActionError::Conflict(why)) => {
            again(StatusCode::CONFLICT, FieldErrors::new(), Some(why)).await
        }
        Err(e) => Err(e.into()),
    }
}
