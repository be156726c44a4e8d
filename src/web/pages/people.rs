//! A service's register of people: the list, and adding a person.

use crate::actions::ActionError;
use crate::actions::people::{add_person, list_people};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::incidents::Choice;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::ids::ServiceId;
use candour_domain::nhs_number::NhsNumber;
use candour_domain::organisation::PersonStatus;
use candour_domain::person::PersonDraft;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde::Deserialize;

/// A register line.
pub struct PersonRow {
    /// Their id.
    pub id: String,
    /// Internal code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Room.
    pub room: String,
    /// Date of birth, shown British style.
    pub born: String,
    /// NHS number, grouped.
    pub nhs: String,
    /// Status label.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "people_list.html")]
struct PeoplePage {
    layout: Layout,
    service: String,
    service_id: String,
    rows: Vec<PersonRow>,
    can_add: bool,
    added: Option<String>,
}

/// Query of the register.
#[derive(Debug, Deserialize)]
pub struct PeopleQuery {
    added: Option<String>,
}

fn parse_service(s: &str) -> Result<ServiceId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// GET /services/{service_id}/people
pub async fn list_service_people(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service_id): Path<String>,
    Query(q): Query<PeopleQuery>,
) -> Result<Response, WebError> {
    let (service, people) =
        list_people(&state.ctx, &user.actor, parse_service(&service_id)?).await?;
    let rows = people
        .into_iter()
        .map(|p| PersonRow {
            id: p.person_id.to_string(),
            code: p.internal_code,
            name: p.display_name,
            room: p.room.unwrap_or_default(),
            born: p
                .date_of_birth
                .and_then(|d| d.parse().ok())
                .map(display::civil_date)
                .unwrap_or_default(),
            nhs: p
                .nhs_number
                .and_then(|n| NhsNumber::parse(&n).ok())
                .map(|n| n.formatted())
                .unwrap_or_default(),
            status: p.status.label(),
        })
        .collect();
    let page = PeoplePage {
        layout: Layout::new(format!("People at {}", service.name), &user, state.demo),
        can_add: user.actor.can_in(Permission::ManagePeople, &service),
        service_id: service.service_id.to_string(),
        service: service.name,
        rows,
        added: q.added.filter(|a| a.starts_with("P-") && a.len() < 20),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "person_new.html")]
struct NewPersonPage {
    layout: Layout,
    service: String,
    service_id: String,
    areas: Vec<Choice>,
    statuses: Vec<Choice>,
    draft: PersonDraft,
    errors: FieldErrors,
}

async fn person_form(
    state: &AppState,
    user: &CurrentUser,
    service_id: ServiceId,
    draft: PersonDraft,
    errors: FieldErrors,
) -> Result<NewPersonPage, WebError> {
    let service = state
        .ctx
        .store
        .service(user.actor.organisation_id, service_id)
        .await?;
    if !user.actor.can_in(Permission::ManagePeople, &service) {
        return Err(WebError::Forbidden);
    }
    let areas = state
        .ctx
        .store
        .areas(user.actor.organisation_id, service_id)
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: a.area_id.to_string() == draft.area_id,
            value: a.area_id.to_string(),
            label: a.name,
        })
        .collect();
    let statuses = PersonStatus::ALL
        .iter()
        .map(|s| Choice {
            selected: s.code() == draft.status
                || (draft.status.is_empty() && *s == PersonStatus::Active),
            value: s.code().to_owned(),
            label: s.label().to_owned(),
        })
        .collect();
    Ok(NewPersonPage {
        layout: Layout::new(
            format!("Add a person to {}", service.name),
            user,
            state.demo,
        ),
        service_id: service.service_id.to_string(),
        service: service.name,
        areas,
        statuses,
        draft,
        errors,
    })
}

/// GET /services/{service_id}/people/new
pub async fn new_person_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service_id): Path<String>,
) -> Result<Response, WebError> {
    let today = state
        .ctx
        .clock
        .now()
        .to_zoned(candour_domain::incident::london())
        .date();
    let draft = PersonDraft {
        start_date: today.to_string(),
        ..PersonDraft::default()
    };
    let page = person_form(
        &state,
        &user,
        parse_service(&service_id)?,
        draft,
        FieldErrors::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// POST /services/{service_id}/people
pub async fn create_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service_id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let service_id = parse_service(&service_id)?;
    let draft = PersonDraft {
        display_name: form.get("display_name"),
        date_of_birth: form.get("date_of_birth"),
        nhs_number: form.get("nhs_number"),
        area_id: form.get("area_id"),
        room: form.get("room"),
        start_date: form.get("start_date"),
        status: form.get("status"),
    };
    match add_person(&state.ctx, &user.actor, service_id, &draft).await {
        Ok(p) => Ok(Redirect::to(&format!(
            "/services/{service_id}/people?added={}",
            p.internal_code
        ))
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = person_form(&state, &user, service_id, draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
