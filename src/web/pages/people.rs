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
    /// The rules that flag them now (only for readers who see incidents).
    pub flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "people_list.html")]
struct PeoplePage {
    layout: Layout,
    service: String,
    service_id: String,
    rows: Vec<PersonRow>,
    can_add: bool,
    /// Whether the reader may open a person's page (they see incidents here).
    can_open: bool,
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
    let can_open = user.actor.can_in(Permission::ViewIncidents, &service);
    let at_risk = if can_open {
        crate::actions::risk::people_at_risk(
            &state.ctx,
            &user.actor,
            Some(std::slice::from_ref(&service)),
        )
        .await?
    } else {
        Vec::new()
    };
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
            flags: {
                let mut f: Vec<&'static str> = at_risk
                    .iter()
                    .filter(|a| a.person.person_id == p.person_id)
                    .flat_map(|a| a.flags.iter().map(|f| f.rule.label()))
                    .collect();
                f.dedup();
                f
            },
        })
        .collect();
    let page = PeoplePage {
        can_open,
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

/// A flag as the page shows it.
pub struct FlagLine {
    /// The rule's name.
    pub rule: &'static str,
    /// Why.
    pub reason: String,
    /// The incidents behind it.
    pub incidents: Vec<String>,
}

impl From<&candour_domain::risk_flags::RiskFlag> for FlagLine {
    fn from(f: &candour_domain::risk_flags::RiskFlag) -> Self {
        FlagLine {
            rule: f.rule.label(),
            reason: f.reason.clone(),
            incidents: f.incidents.clone(),
        }
    }
}

/// A review as the page shows it.
pub struct ReviewLine {
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
    /// Risk assessment updated: Yes or No.
    pub risk_assessment: &'static str,
    /// Care plan updated.
    pub care_plan: &'static str,
    /// The flags it answered.
    pub flags: String,
    /// What was decided.
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "person_show.html")]
struct PersonPage {
    layout: Layout,
    id: String,
    code: String,
    name: String,
    service: String,
    service_id: String,
    room: String,
    status: &'static str,
    started: String,
    flags: Vec<FlagLine>,
    reviews: Vec<ReviewLine>,
    incidents: Vec<crate::web::pages::incidents::IncidentRow>,
    can_review: bool,
    draft: crate::actions::risk::ReviewDraft,
    errors: FieldErrors,
    reviewed: bool,
    /// Learning logs since the last review that change their support.
    review_asked: usize,
    /// Whether the reader may export everything held about them.
    can_export: bool,
}

fn parse_person(s: &str) -> Result<candour_domain::ids::PersonId, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

async fn person_page(
    state: &AppState,
    user: &CurrentUser,
    id: candour_domain::ids::PersonId,
) -> Result<PersonPage, WebError> {
    let v = crate::actions::risk::person_view(&state.ctx, &user.actor, id).await?;
    let can_export = user
        .actor
        .can_in(candour_domain::role::Permission::ManagePeople, &v.service);
    let yes = |b: bool| if b { "Yes" } else { "No" };
    Ok(PersonPage {
        layout: Layout::new(
            format!("{} at {}", v.person.internal_code, v.service.name),
            user,
            state.demo,
        ),
        id: v.person.person_id.to_string(),
        code: v.person.internal_code,
        name: v.person.display_name,
        service: v.service.name,
        service_id: v.service.service_id.to_string(),
        room: v.person.room.unwrap_or_default(),
        status: v.person.status.label(),
        started: v
            .person
            .start_date
            .parse()
            .map(display::civil_date)
            .unwrap_or(v.person.start_date),
        flags: v.flags.iter().map(FlagLine::from).collect(),
        reviews: v
            .reviews
            .into_iter()
            .map(|r| ReviewLine {
                at: display::date_time(r.reviewed_at),
                by: r.reviewed_by,
                risk_assessment: yes(r.risk_assessment_updated),
                care_plan: yes(r.care_plan_updated),
                flags: r.flags,
                outcome: r.outcome,
            })
            .collect(),
        incidents: v
            .incidents
            .iter()
            .map(crate::web::pages::incidents::IncidentRow::from)
            .collect(),
        can_review: v.can_review,
        can_export,
        draft: Default::default(),
        errors: FieldErrors::new(),
        reviewed: false,
        review_asked: crate::actions::learning::learning_logs(&state.ctx, &user.actor, id)
            .await?
            .review_asked
            .len(),
    })
}

/// Query of a person's page.
#[derive(Debug, Deserialize)]
pub struct PersonQuery {
    reviewed: Option<String>,
}

/// GET /people/{person_id}: who they are, whether they are at increased
/// risk and why, the reviews recorded, and their records.
pub async fn show_person(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PersonQuery>,
) -> Result<Response, WebError> {
    let mut page = person_page(&state, &user, parse_person(&id)?).await?;
    page.reviewed = q.reviewed.is_some();
    Ok(render(&page)?.into_response())
}

/// POST /people/{person_id}/risk-review: records the review that clears the flags.
pub async fn create_risk_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_person(&id)?;
    let draft = crate::actions::risk::ReviewDraft {
        risk_assessment_updated: form.get("risk_assessment_updated"),
        care_plan_updated: form.get("care_plan_updated"),
        outcome: form.get("outcome"),
    };
    match crate::actions::risk::record_review(&state.ctx, &user.actor, id, &draft).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?reviewed=1")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = person_page(&state, &user, id).await?;
            page.errors = errors;
            page.draft = draft;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /people/{person_id}/subject-access: everything held about them, as
/// a ZIP to download (a subject access request); audited.
pub async fn export_subject_access(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let export =
        crate::actions::subject_access::export_person(&state.ctx, &user.actor, parse_person(&id)?)
            .await?;
    Ok(zip_download(&export))
}

/// A subject access export as a download.
pub(crate) fn zip_download(export: &crate::actions::subject_access::Export) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/zip".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", export.file_name),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        export.zip.clone(),
    )
        .into_response()
}
