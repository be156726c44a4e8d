//! A person's register entry, for a registered manager: their details,
//! their status with the date it began, and every change kept.

use crate::actions::ActionError;
use crate::actions::person_register::{
    DetailsDraft, HistoryLine, edit_person, person_history, record_status, register_view,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::incidents::Choice;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::ids::PersonId;
use candour_domain::organisation::{Funding, PersonStatus};
use candour_domain::person::{PersonDraft, RegisterDraft, StatusDraft};
use candour_domain::validation::FieldErrors;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "person_register.html")]
struct RegisterPage {
    layout: Layout,
    id: String,
    code: String,
    service: String,
    version: i64,
    status: &'static str,
    since: String,
    draft: DetailsDraft,
    areas: Vec<Choice>,
    fundings: Vec<Choice>,
    statuses: Vec<Choice>,
    status_draft: StatusDraft,
    history: Vec<HistoryLine>,
    notice: &'static str,
    /// They died and no report names it: the link to report the death.
    death_report: String,
    errors: FieldErrors,
}

/// What the forms hold when the page is shown again.
#[derive(Default)]
struct Typed {
    details: Option<DetailsDraft>,
    status: StatusDraft,
    errors: FieldErrors,
}

fn choices(all: impl Iterator<Item = (String, String)>, chosen: &str) -> Vec<Choice> {
    all.map(|(value, label)| Choice {
        selected: value == chosen,
        value,
        label,
    })
    .collect()
}

async fn register_page(
    state: &AppState,
    user: &CurrentUser,
    id: PersonId,
    typed: Typed,
    (notice, death_report): (&'static str, bool),
) -> Result<RegisterPage, WebError> {
    let ctx = &state.ctx;
    let v = register_view(ctx, &user.actor, id).await?;
    let history = person_history(ctx, &user.actor, id).await?;
    let areas = ctx
        .store
        .areas(user.actor.organisation_id, v.service.service_id)
        .await?;
    let draft = typed.details.unwrap_or_else(|| DetailsDraft {
        person: PersonDraft {
            display_name: v.person.display_name.clone(),
            date_of_birth: v.person.date_of_birth.clone().unwrap_or_default(),
            nhs_number: v.person.nhs_number.clone().unwrap_or_default(),
            area_id: v.person.area_id.map(|a| a.to_string()).unwrap_or_default(),
            room: v.person.room.clone().unwrap_or_default(),
            ..PersonDraft::default()
        },
        register: RegisterDraft {
            preferred_name: v.details.preferred_name.clone().unwrap_or_default(),
            funding: v.details.funding.clone().unwrap_or_default(),
        },
    });
    let today = ctx
        .clock
        .now()
        .to_zoned(candour_domain::incident::london())
        .date();
    let status_draft = if typed.status == StatusDraft::default() {
        StatusDraft {
            status: String::new(),
            since: today.to_string(),
        }
    } else {
        typed.status
    };
    Ok(RegisterPage {
        layout: Layout::new(
            format!("Change {} at {}", v.person.internal_code, v.service.name),
            user,
            state.demo,
        ),
        id: id.to_string(),
        code: v.person.internal_code.clone(),
        service: v.service.name.clone(),
        version: v.details.version,
        status: v.person.status.label(),
        since: v
            .details
            .status_since
            .as_deref()
            .and_then(|d| d.parse().ok())
            .map(candour_domain::display::civil_date)
            .unwrap_or_default(),
        areas: choices(
            areas
                .iter()
                .map(|a| (a.area_id.to_string(), a.name.clone())),
            &draft.person.area_id,
        ),
        fundings: choices(
            Funding::ALL
                .iter()
                .map(|f| (f.code().to_owned(), f.label().to_owned())),
            &draft.register.funding,
        ),
        statuses: choices(
            PersonStatus::ALL
                .iter()
                .filter(|s| **s != v.person.status)
                .map(|s| (s.code().to_owned(), s.label().to_owned())),
            &status_draft.status,
        ),
        draft,
        status_draft,
        history,
        notice,
        death_report: if death_report {
            format!(
                "/incidents/new?service={}&kind=incident&category=death&person={}",
                v.service.service_id, id
            )
        } else {
            String::new()
        },
        errors: typed.errors,
    })
}

fn person_id(s: &str) -> Result<PersonId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// GET /people/{person_id}/register?done=…
pub async fn show_register(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let notice = match q.get("done").map(String::as_str) {
        Some("details") => "Details changed.",
        Some("status") | Some("died") => "Status recorded.",
        _ => "",
    };
    let died = q.get("done").is_some_and(|d| d == "died");
    let page = register_page(
        &state,
        &user,
        person_id(&id)?,
        Typed::default(),
        (notice, died),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

fn version_of(form: &CsrfForm) -> i64 {
    form.get("version").trim().parse().unwrap_or(-1)
}

/// POST /people/{person_id}/details
pub async fn change_details(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let draft = DetailsDraft {
        person: PersonDraft {
            display_name: form.get("display_name"),
            date_of_birth: form.get("date_of_birth"),
            nhs_number: form.get("nhs_number"),
            area_id: form.get("area_id"),
            room: form.get("room"),
            ..PersonDraft::default()
        },
        register: RegisterDraft {
            preferred_name: form.get("preferred_name"),
            funding: form.get("funding"),
        },
    };
    match edit_person(&state.ctx, &user.actor, id, &draft, version_of(&form)).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}/register?done=details")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let typed = Typed {
                details: Some(draft),
                errors,
                ..Typed::default()
            };
            let page = register_page(&state, &user, id, typed, ("", false)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /people/{person_id}/status (`status`, `since`)
pub async fn change_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let draft = StatusDraft {
        status: form.get("status"),
        since: form.get("since"),
    };
    match record_status(&state.ctx, &user.actor, id, &draft, version_of(&form)).await {
        Ok(done) => {
            let done = if done.offer_death_report {
                "died"
            } else {
                "status"
            };
            Ok(Redirect::to(&format!("/people/{id}/register?done={done}")).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let typed = Typed {
                status: draft,
                errors,
                ..Typed::default()
            };
            let page = register_page(&state, &user, id, typed, ("", false)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
