//! Lessons learned: the list, publishing one, reading and acknowledging it.

use crate::actions::ActionError;
use crate::actions::lessons::{
    LessonLine, acknowledge, lesson_view, lessons_for, publish_lesson, publish_scopes,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::lessons::{LessonDraft, Source};
use candour_domain::validation::FieldErrors;
use serde::Deserialize;

/// A lesson as a list shows it.
pub struct LessonRow {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Who it is for.
    pub scope: String,
    /// Published, as people read it.
    pub published: String,
    /// The reader's state: "Read on …", "To read", or empty when not asked.
    pub mine: String,
    /// Whether the reader still has to read it.
    pub unread: bool,
    /// For managers: "3 of 7".
    pub counts: String,
}

impl From<&LessonLine> for LessonRow {
    fn from(l: &LessonLine) -> Self {
        LessonRow {
            id: l.lesson.lesson_id.to_string(),
            title: l.lesson.title.clone(),
            scope: l.scope_name.clone(),
            published: display::date(l.lesson.published_at),
            mine: match (l.asked, l.acknowledged_at) {
                (true, Some(at)) => format!("Read on {}", display::date(at)),
                (true, None) => "To read".to_owned(),
                (false, _) => String::new(),
            },
            unread: l.asked && l.acknowledged_at.is_none(),
            counts: l
                .counts
                .map(|(a, n)| format!("{a} of {n}"))
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "lessons.html")]
struct LessonsPage {
    layout: Layout,
    rows: Vec<LessonRow>,
    can_publish: bool,
}

/// GET /lessons
pub async fn list_lessons(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let lines = lessons_for(&state.ctx, &user.actor).await?;
    let page = LessonsPage {
        layout: Layout::new("Lessons learned", &user, state.demo),
        rows: lines.iter().map(LessonRow::from).collect(),
        can_publish: !publish_scopes(&state.ctx, &user.actor).await?.is_empty(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "lesson_new.html")]
struct NewLessonPage {
    layout: Layout,
    draft: LessonDraft,
    scopes: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

/// Query of the form: a lesson started from an incident.
#[derive(Debug, Deserialize)]
pub struct NewLessonQuery {
    incident: Option<String>,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    draft: LessonDraft,
    errors: FieldErrors,
) -> Result<NewLessonPage, WebError> {
    let scopes = publish_scopes(&state.ctx, &user.actor).await?;
    if scopes.is_empty() {
        return Err(ActionError::Forbidden.into());
    }
    Ok(NewLessonPage {
        layout: Layout::new("Share a lesson learned", user, state.demo),
        draft,
        scopes,
        sources: Source::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        errors,
    })
}

/// GET /lessons/new
pub async fn new_lesson_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewLessonQuery>,
) -> Result<Response, WebError> {
    let draft = match q
        .incident
        .and_then(|r| candour_domain::incident::IncidentReference::parse(&r))
    {
        Some(r) => LessonDraft {
            source: Source::Incident.code().to_owned(),
            source_ref: r.to_string(),
            ..LessonDraft::default()
        },
        None => LessonDraft::default(),
    };
    Ok(render(&new_page(&state, &user, draft, FieldErrors::new()).await?)?.into_response())
}

/// POST /lessons
pub async fn create_lesson(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = LessonDraft {
        title: form.get("title"),
        what_happened: form.get("what_happened"),
        what_we_learned: form.get("what_we_learned"),
        what_we_changed: form.get("what_we_changed"),
        scope: form.get("scope"),
        source: form.get("source"),
        source_ref: form.get("source_ref"),
    };
    match publish_lesson(&state.ctx, &user.actor, &draft).await {
        Ok(id) => Ok(Redirect::to(&format!("/lessons/{id}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = new_page(&state, &user, draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "lesson_show.html")]
struct LessonPage {
    layout: Layout,
    row: LessonRow,
    what_happened: String,
    what_we_learned: String,
    what_we_changed: String,
    source: &'static str,
    source_ref: String,
    source_link: Option<String>,
    published_by: String,
    asked: bool,
    audience: Option<Vec<(String, String)>>,
}

fn parse_lesson(s: &str) -> Result<uuid::Uuid, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

/// GET /lessons/{id}
pub async fn show_lesson(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let v = lesson_view(&state.ctx, &user.actor, parse_lesson(&id)?).await?;
    let l = &v.line.lesson;
    let page = LessonPage {
        layout: Layout::new(l.title.clone(), &user, state.demo),
        row: LessonRow::from(&v.line),
        what_happened: l.what_happened.clone(),
        what_we_learned: l.what_we_learned.clone(),
        what_we_changed: l.what_we_changed.clone(),
        source: l.source.label(),
        source_ref: l.source_ref.clone(),
        source_link: v.source_incident.map(|r| format!("/incidents/{r}")),
        published_by: l.published_by.clone(),
        asked: v.line.asked,
        audience: v.audience.map(|a| {
            a.into_iter()
                .map(|(name, at)| {
                    (
                        name,
                        at.map(display::date_time)
                            .unwrap_or_else(|| "Not yet".to_owned()),
                    )
                })
                .collect()
        }),
    };
    Ok(render(&page)?.into_response())
}

/// POST /lessons/{id}/acknowledge: the reader has read it.
pub async fn acknowledge_lesson(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_lesson(&id)?;
    acknowledge(&state.ctx, &user.actor, id).await?;
    Ok(Redirect::to(&format!("/lessons/{id}")).into_response())
}
