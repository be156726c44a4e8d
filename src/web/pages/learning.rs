//! Learning logs about a person, reflective practice and involvement for an
//! incident, and supervision reflections.

use crate::actions::ActionError;
use crate::actions::learning::{
    learning_logs, my_supervision, record_involvement, record_practice, record_supervision,
    reflection, supervisees, write_log,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::incident::IncidentReference;
use candour_domain::learning::{InvolvementDraft, LogDraft, PracticeDraft, SupervisionDraft};
use candour_domain::validation::FieldErrors;

/// A learning log as shown.
pub struct LogLine {
    /// Activity.
    pub activity: String,
    /// Tried, worked, did not work, will change.
    pub parts: [String; 4],
    /// Whether it changes their support.
    pub changes_support: bool,
    /// Written by and when.
    pub written: String,
}

impl From<&crate::store::learning::Written<candour_domain::learning::Log>> for LogLine {
    fn from(w: &crate::store::learning::Written<candour_domain::learning::Log>) -> Self {
        let l = &w.record;
        LogLine {
            activity: l.activity.clone(),
            parts: [
                l.tried.clone(),
                l.worked.clone(),
                l.did_not_work.clone(),
                l.will_change.clone(),
            ],
            changes_support: l.changes_support,
            written: format!("{}, {}", w.by, display::date_time(w.at)),
        }
    }
}

#[derive(Template)]
#[template(path = "learning_log.html")]
struct LogPage {
    layout: Layout,
    id: String,
    code: String,
    service: String,
    logs: Vec<LogLine>,
    review_asked: usize,
    draft: LogDraft,
    errors: FieldErrors,
}

fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

async fn log_page(
    state: &AppState,
    user: &CurrentUser,
    id: candour_domain::ids::PersonId,
) -> Result<LogPage, WebError> {
    let v = learning_logs(&state.ctx, &user.actor, id).await?;
    Ok(LogPage {
        layout: Layout::new(
            format!("Learning log: {}", v.person.internal_code),
            user,
            state.demo,
        ),
        id: v.person.person_id.to_string(),
        code: v.person.internal_code,
        service: v.service.name,
        logs: v.logs.iter().map(LogLine::from).collect(),
        review_asked: v.review_asked.len(),
        draft: LogDraft::default(),
        errors: FieldErrors::new(),
    })
}

/// GET /people/{person_id}/learning-log
pub async fn show_learning_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    Ok(render(&log_page(&state, &user, parse_id(&id)?).await?)?.into_response())
}

/// POST /people/{person_id}/learning-log
pub async fn create_learning_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let draft = LogDraft {
        activity: form.get("activity"),
        tried: form.get("tried"),
        worked: form.get("worked"),
        did_not_work: form.get("did_not_work"),
        will_change: form.get("will_change"),
        changes_support: form.get("changes_support"),
    };
    match write_log(&state.ctx, &user.actor, id, &draft).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}/learning-log")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = log_page(&state, &user, id).await?;
            page.errors = errors;
            page.draft = draft;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reflection.html")]
struct ReflectionPage {
    layout: Layout,
    reference: String,
    practice: Vec<(String, String, String, String, String)>,
    involvement: Vec<(String, String, String, String, String)>,
    can_add: bool,
    practice_draft: PracticeDraft,
    involvement_draft: InvolvementDraft,
    form: &'static str,
    errors: FieldErrors,
}

async fn reflection_page(
    state: &AppState,
    user: &CurrentUser,
    reference: IncidentReference,
) -> Result<ReflectionPage, WebError> {
    let v = reflection(&state.ctx, &user.actor, reference).await?;
    Ok(ReflectionPage {
        layout: Layout::new(
            format!("Reflection and involvement: {reference}"),
            user,
            state.demo,
        ),
        reference: reference.to_string(),
        practice: v
            .practice
            .iter()
            .map(|w| {
                (
                    display::civil_date(w.record.held_on),
                    w.record.participants.clone(),
                    w.record.reflections.clone(),
                    w.record.changes.clone(),
                    format!("{}, {}", w.by, display::date_time(w.at)),
                )
            })
            .collect(),
        involvement: v
            .involvement
            .iter()
            .map(|w| {
                (
                    w.record
                        .representative
                        .clone()
                        .unwrap_or_else(|| "The person themselves".to_owned()),
                    w.record.account.clone(),
                    w.record.views.clone(),
                    w.record.wishes.clone(),
                    format!("{}, {}", w.by, display::date_time(w.at)),
                )
            })
            .collect(),
        can_add: v.can_add,
        practice_draft: PracticeDraft::default(),
        involvement_draft: InvolvementDraft::default(),
        form: "",
        errors: FieldErrors::new(),
    })
}

fn parse_reference(s: &str) -> Result<IncidentReference, WebError> {
    IncidentReference::parse(s).ok_or(WebError::NotFound)
}

/// GET /incidents/{reference}/reflection
pub async fn show_reflection(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let page = reflection_page(&state, &user, parse_reference(&reference)?).await?;
    Ok(render(&page)?.into_response())
}

/// POST /incidents/{reference}/reflection/practice
pub async fn create_practice(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let r = parse_reference(&reference)?;
    let draft = PracticeDraft {
        held_on: form.get("held_on"),
        participants: form.get("participants"),
        reflections: form.get("reflections"),
        changes: form.get("changes"),
    };
    match record_practice(&state.ctx, &user.actor, r, &draft).await {
        Ok(()) => Ok(Redirect::to(&format!("/incidents/{r}/reflection#practice")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = reflection_page(&state, &user, r).await?;
            page.errors = errors;
            page.form = "practice";
            page.practice_draft = draft;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /incidents/{reference}/reflection/involvement
pub async fn create_involvement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let r = parse_reference(&reference)?;
    let draft = InvolvementDraft {
        who: form.get("who"),
        representative: form.get("representative"),
        account: form.get("account"),
        views: form.get("views"),
        wishes: form.get("wishes"),
    };
    match record_involvement(&state.ctx, &user.actor, r, &draft).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/incidents/{r}/reflection#involvement")).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let mut page = reflection_page(&state, &user, r).await?;
            page.errors = errors;
            page.form = "involvement";
            page.involvement_draft = draft;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A supervision reflection as shown.
pub struct SupervisionLine {
    /// The member of staff.
    pub staff: String,
    /// The supervisor.
    pub supervisor: String,
    /// The day.
    pub held_on: String,
    /// The incident, if any.
    pub incident: String,
    /// Reflection.
    pub reflection: String,
    /// Support agreed.
    pub support: String,
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    layout: Layout,
    lines: Vec<SupervisionLine>,
    staff: Vec<(String, String)>,
    draft: SupervisionDraft,
    errors: FieldErrors,
}

async fn supervision_page(
    state: &AppState,
    user: &CurrentUser,
) -> Result<SupervisionPage, WebError> {
    Ok(SupervisionPage {
        layout: Layout::new("Supervision reflections", user, state.demo),
        lines: my_supervision(&state.ctx, &user.actor)
            .await?
            .into_iter()
            .map(|r| SupervisionLine {
                staff: r.staff.1,
                supervisor: r.supervisor.1,
                held_on: display::civil_date(r.record.held_on),
                incident: r.record.incident.map(|i| i.to_string()).unwrap_or_default(),
                reflection: r.record.reflection,
                support: r.record.support,
            })
            .collect(),
        staff: supervisees(&state.ctx, &user.actor)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name))
            .collect(),
        draft: SupervisionDraft::default(),
        errors: FieldErrors::new(),
    })
}

/// GET /supervision: the reader's own reflections, and those they recorded.
pub async fn show_supervision(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    Ok(render(&supervision_page(&state, &user).await?)?.into_response())
}

/// POST /supervision
pub async fn create_supervision(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = SupervisionDraft {
        staff: form.get("staff"),
        held_on: form.get("held_on"),
        incident: form.get("incident"),
        reflection: form.get("reflection"),
        support: form.get("support"),
    };
    match record_supervision(&state.ctx, &user.actor, &draft).await {
        Ok(()) => Ok(Redirect::to("/supervision").into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = supervision_page(&state, &user).await?;
            page.errors = errors;
            page.draft = draft;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
