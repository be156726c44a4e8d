//! GET /safety-cross: a service's monthly safety cross for one measure,
//! printable on one A4 sheet for the wall.

use crate::actions::ActionError;
use crate::actions::safety_cross::{note_day, safety_cross};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::ids::{AreaId, PersonId, ServiceId};
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
    /// Whether a note is written on the day.
    pub noted: bool,
}

#[derive(Template)]
#[template(path = "safety_cross.html")]
struct CrossPage {
    layout: Layout,
    service: String,
    service_id: String,
    services: Vec<(String, String)>,
    measure: &'static str,
    measure_label: String,
    measure_singular: &'static str,
    measures: Vec<(&'static str, String)>,
    can_choose: bool,
    set_name: String,
    categories: Vec<(&'static str, &'static str, bool)>,
    month: String,
    month_label: String,
    boxes: Vec<BoxLine>,
    events: u32,
    near_misses: u32,
    days_since: Option<i32>,
    notes: Vec<(String, String, String)>,
    can_note: bool,
    note_days: Vec<(String, String)>,
    errors: candour_domain::validation::FieldErrors,
    typed_day: String,
    typed_note: String,
    person_code: Option<String>,
    person_id: String,
    area_id: String,
    areas: Vec<(String, String)>,
}

/// Which cross: the service and person, the measure and the month.
type Choice = (
    (Option<ServiceId>, Option<PersonId>, Option<AreaId>),
    Measure,
    jiff::civil::Date,
);

/// The service, measure and month asked for.
fn choice(state: &AppState, q: &HashMap<String, String>) -> Result<Choice, WebError> {
    let pick = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let service: Option<ServiceId> = match pick("service") {
        Some(v) => Some(v.parse().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let measure = match pick("measure") {
        Some(m) => Measure::parse(m).ok_or_else(|| {
            WebError::BadRequest(format!("{m:?} is not a measure the safety cross counts"))
        })?,
        None if pick("person").is_some() => Measure::AnyIncident,
        None => Measure::Falls,
    };
    let person: Option<PersonId> = match pick("person") {
        Some(v) => Some(v.parse().map_err(|_| WebError::NotFound)?),
        None => None,
    };
    let area: Option<AreaId> = match pick("area") {
        Some(v) => Some(v.parse().map_err(|_| WebError::NotFound)?),
        None => None,
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
    Ok(((service, person, area), measure, first))
}

async fn cross_page(
    state: &AppState,
    user: &CurrentUser,
    (service, measure, first): Choice,
    errors: candour_domain::validation::FieldErrors,
    typed: (String, String),
) -> Result<CrossPage, WebError> {
    let today = state.ctx.clock.now().to_zoned(london()).date();
    let v = safety_cross(&state.ctx, &user.actor, service, measure, first).await?;
    let month_label = v.first.strftime("%B %Y").to_string();
    let page = CrossPage {
        layout: Layout::new(
            match &v.person_code {
                Some(code) => format!("{} for {code}, {month_label}", measure.label()),
                None => format!(
                    "{} safety cross, {}{}, {month_label}",
                    measure.label(),
                    v.service.name,
                    v.area
                        .as_ref()
                        .map(|a| format!(", {}", a.name))
                        .unwrap_or_default()
                ),
            },
            user,
            state.demo,
        ),
        service: match &v.area {
            Some(a) => format!("{}, {}", v.service.name, a.name),
            None => v.service.name.clone(),
        },
        service_id: v.service.service_id.to_string(),
        area_id: v
            .area
            .as_ref()
            .map(|a| a.area_id.to_string())
            .unwrap_or_default(),
        areas: v
            .areas
            .iter()
            .map(|a| (a.area_id.to_string(), a.name.clone()))
            .collect(),
        services: v
            .services
            .iter()
            .map(|s| (s.service_id.to_string(), s.name.clone()))
            .collect(),
        measure: measure.code(),
        measure_label: match (&v.chosen, measure) {
            (Some(set), Measure::Chosen) => set.name.clone(),
            _ => measure.label().to_owned(),
        },
        measure_singular: match measure {
            Measure::Falls => "fall",
            Measure::PressureUlcers => "pressure ulcer",
            Measure::MedicationErrors => "medication error",
            Measure::AnyIncident => "incident",
            Measure::Chosen => "event",
        },
        measures: Measure::ALL
            .iter()
            .filter_map(|m| match (m, &v.chosen) {
                (Measure::Chosen, Some(set)) => Some((m.code(), set.name.clone())),
                (Measure::Chosen, None) => None,
                _ => Some((m.code(), m.label().to_owned())),
            })
            .collect(),
        can_choose: v.can_choose,
        set_name: v
            .chosen
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        categories: candour_domain::incident::Category::ALL
            .iter()
            .map(|c| {
                (
                    c.code(),
                    c.label(),
                    v.chosen.as_ref().is_some_and(|set| set.has(*c)),
                )
            })
            .collect(),
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
                noted: v.notes.iter().any(|n| n.day.day() == b.day),
            })
            .collect(),
        events: v.events,
        near_misses: v.near_misses,
        days_since: v.days_since,
        notes: v
            .notes
            .iter()
            .map(|n| {
                (
                    candour_domain::display::civil_date(n.day),
                    n.note.clone(),
                    format!("{}, {}", n.by, candour_domain::display::date_time(n.at)),
                )
            })
            .collect(),
        can_note: v.can_note,
        note_days: v
            .boxes
            .iter()
            .filter_map(|b| {
                let d = v.first.with().day(b.day).build().ok()?;
                (d <= today).then(|| (d.to_string(), candour_domain::display::civil_date(d)))
            })
            .collect(),
        errors,
        typed_day: typed.0,
        typed_note: typed.1,
        person_id: service.1.map(|p| p.to_string()).unwrap_or_default(),
        person_code: v.person_code.clone(),
    };
    Ok(page)
}

/// GET /safety-cross?service=…&measure=falls&month=2026-11
pub async fn show_safety_cross(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let c = choice(&state, &q)?;
    let page = cross_page(&state, &user, c, Default::default(), Default::default()).await?;
    Ok(render(&page)?.into_response())
}

/// POST /safety-cross/set: the service's own category set (`service`, `set_name`, `set_categories`).
pub async fn choose_cross_set(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let q: HashMap<String, String> = form.pairs().iter().cloned().collect();
    let ((service, _, _), measure, first) = choice(&state, &q)?;
    let service = service.ok_or(WebError::NotFound)?;
    let categories: Vec<String> = form
        .pairs()
        .iter()
        .filter(|(k, _)| k == "set_categories")
        .map(|(_, v)| v.clone())
        .collect();
    let name = form.get("set_name");
    match crate::actions::safety_cross::choose_set(
        &state.ctx,
        &user.actor,
        service,
        (&name, &categories),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/safety-cross?service={service}&measure=chosen&month={}",
            first.strftime("%Y-%m")
        ))
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = cross_page(
                &state,
                &user,
                ((Some(service), None, None), measure, first),
                errors,
                Default::default(),
            )
            .await?;
            page.set_name = name;
            for c in page.categories.iter_mut() {
                c.2 = categories.iter().any(|x| x == c.0);
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /safety-cross/notes: a note on one day (`service`, `measure`, `month`, `day`, `note`).
pub async fn add_day_note(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let q: HashMap<String, String> = form.pairs().iter().cloned().collect();
    let ((service, _, _), measure, first) = choice(&state, &q)?;
    let service = service.ok_or(WebError::NotFound)?;
    let (day, note) = (form.get("day"), form.get("note"));
    match note_day(&state.ctx, &user.actor, service, measure, (&day, &note)).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/safety-cross?service={service}&measure={}&month={}#notes",
            measure.code(),
            first.strftime("%Y-%m")
        ))
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = cross_page(
                &state,
                &user,
                ((Some(service), None, None), measure, first),
                errors,
                (day, note),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
