//! GET /safety-cross: a service's monthly safety cross for one measure,
//! printable on one A4 sheet for the wall.

use crate::actions::safety_cross::safety_cross;
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use candour_domain::ids::ServiceId;
use candour_domain::incident::london;
use candour_domain::safety_cross::{Colour, Measure};
use std::collections::HashMap;

/// One day's box, ready to show.
pub struct BoxLine {
    /// Day of the month.
    pub day: i8,
    /// `green`, `amber`, `red` or `blank`.
    pub colour: &'static str,
    /// What happened, in words (readable without colour).
    pub words: String,
    /// Grid row.
    pub row: u8,
    /// Grid column.
    pub col: u8,
}

#[derive(Template)]
#[template(path = "safety_cross.html")]
struct CrossPage {
    layout: Layout,
    service: String,
    service_id: String,
    services: Vec<(String, String)>,
    measure: &'static str,
    measure_label: &'static str,
    measure_singular: &'static str,
    measures: Vec<(&'static str, &'static str)>,
    month: String,
    month_label: String,
    boxes: Vec<BoxLine>,
    events: u32,
    near_misses: u32,
    days_since: Option<i32>,
}

/// GET /safety-cross?service=…&measure=falls&month=2026-11
pub async fn show_safety_cross(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let pick = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let service: Option<ServiceId> = match pick("service") {
        Some(v) => Some(v.parse().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let measure = match pick("measure") {
        Some(m) => Measure::parse(m).ok_or_else(|| {
            WebError::BadRequest(format!("{m:?} is not a measure the safety cross counts"))
        })?,
        None => Measure::Falls,
    };
    let today = state.ctx.clock.now().to_zoned(london()).date();
    let first = match pick("month") {
        Some(m) => format!("{m}-01")
            .parse::<jiff::civil::Date>()
            .map_err(|_| {
                WebError::BadRequest("Give the month as YYYY-MM, like 2026-11".to_owned())
            })?,
        None => today.first_of_month(),
    };
    let v = safety_cross(&state.ctx, &user.actor, service, measure, first).await?;
    let month_label = v.first.strftime("%B %Y").to_string();
    let page = CrossPage {
        layout: Layout::new(
            format!(
                "{} safety cross, {}, {month_label}",
                measure.label(),
                v.service.name
            ),
            &user,
            state.demo,
        ),
        service: v.service.name.clone(),
        service_id: v.service.service_id.to_string(),
        services: v
            .services
            .iter()
            .map(|s| (s.service_id.to_string(), s.name.clone()))
            .collect(),
        measure: measure.code(),
        measure_label: measure.label(),
        measure_singular: match measure {
            Measure::Falls => "fall",
            Measure::PressureUlcers => "pressure ulcer",
            Measure::MedicationErrors => "medication error",
            Measure::AnyIncident => "incident",
        },
        measures: Measure::ALL.iter().map(|m| (m.code(), m.label())).collect(),
        month: v.first.strftime("%Y-%m").to_string(),
        month_label,
        boxes: v
            .boxes
            .iter()
            .map(|b| BoxLine {
                day: b.day,
                colour: b.colour.code(),
                words: match b.colour {
                    Colour::Blank => String::new(),
                    Colour::Green => "None".to_owned(),
                    Colour::Amber => format!(
                        "{} near miss{}",
                        b.near_misses,
                        if b.near_misses == 1 { "" } else { "es" }
                    ),
                    Colour::Red => format!(
                        "{} event{}{}",
                        b.events,
                        if b.events == 1 { "" } else { "s" },
                        if b.near_misses > 0 {
                            format!(
                                ", {} near miss{}",
                                b.near_misses,
                                if b.near_misses == 1 { "" } else { "es" }
                            )
                        } else {
                            String::new()
                        }
                    ),
                },
                row: b.at.0,
                col: b.at.1,
            })
            .collect(),
        events: v.events,
        near_misses: v.near_misses,
        days_since: v.days_since,
    };
    Ok(render(&page)?.into_response())
}
