//! Triage pages: the queue (one service, or every service in scope) ordered
//! by what is most pressing, and the triage form with similar incidents
//! beside it and every earlier grading below.

use super::incidents::{Choice, IncidentRow, parse_reference};
use crate::actions::ActionError;
use crate::actions::incidents::{show_incident, staff_of_service};
use crate::actions::triage::{grading_history, similar_incidents, triage_incident, triage_queue};
use crate::store::triage::QueueLine;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::ids::ServiceId;
use candour_domain::incident::{Category, EventKind, IncidentReference, IncidentStatus};
use candour_domain::role::Permission;
use candour_domain::timescales::TimeLeft;
use candour_domain::triage::{
    Consequence, LearningResponse, Likelihood, PhysicalHarm, PsychologicalHarm, TriageDraft,
};
use candour_domain::validation::FieldErrors;

/// A queue line, ready to show.
pub struct QueueRow {
    /// The incident.
    pub row: IncidentRow,
    /// Risk band label, once triaged.
    pub risk: String,
    /// Handler's name.
    pub handler: String,
    /// What is due: "Triage" or "Review".
    pub due_what: &'static str,
    /// Time left in words.
    pub due: String,
    /// `overdue`, `soon` or empty.
    pub urgency: &'static str,
}

fn queue_row(q: &QueueLine, now: jiff::Timestamp) -> QueueRow {
    let (due_what, due_at) = if q.summary.status == IncidentStatus::Reported {
        ("Triage", q.triage_due_at)
    } else {
        ("Review", q.review_due_at)
    };
    let left = due_at.map(|d| TimeLeft::at(now, d));
    QueueRow {
        row: IncidentRow::from(&q.summary),
        risk: q
            .risk_band
            .map(|b| b.label().to_owned())
            .unwrap_or_default(),
        handler: q.handler.clone().unwrap_or_default(),
        due_what,
        due: match (left, due_at) {
            (Some(l), Some(at)) => format!("{} ({})", l.describe(), display::date_time(at)),
            _ => "Not set".to_owned(),
        },
        urgency: match left {
            Some(TimeLeft::Overdue(_)) => "overdue",
            Some(TimeLeft::DueSoon(_)) => "soon",
            _ => "",
        },
    }
}

#[derive(Template)]
#[template(path = "triage_queue.html")]
struct QueuePage {
    layout: Layout,
    heading: String,
    rows: Vec<QueueRow>,
    overdue: usize,
    soon: usize,
}

async fn queue_page(
    state: &AppState,
    user: &CurrentUser,
    service: Option<ServiceId>,
) -> Result<Response, WebError> {
    let lines = triage_queue(&state.ctx, &user.actor, service).await?;
    let heading = match service {
        Some(id) => format!(
            "Triage and reviews at {}",
            state
                .ctx
                .store
                .service(user.actor.organisation_id, id)
                .await?
                .name
        ),
        None => "Triage and reviews in your services".to_owned(),
    };
    let now = state.ctx.clock.now();
    let rows: Vec<QueueRow> = lines.iter().map(|q| queue_row(q, now)).collect();
    let page = QueuePage {
        layout: Layout::new(heading.clone(), user, state.demo),
        overdue: rows.iter().filter(|r| r.urgency == "overdue").count(),
        soon: rows.iter().filter(|r| r.urgency == "soon").count(),
        heading,
        rows,
    };
    Ok(render(&page)?.into_response())
}

/// GET /triage: every service the reader triages.
pub async fn show_triage_queue(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    queue_page(&state, &user, None).await
}

/// GET /services/{service_id}/triage
pub async fn show_service_triage_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service): Path<String>,
) -> Result<Response, WebError> {
    let id: ServiceId = service.parse().map_err(|_| WebError::NotFound)?;
    queue_page(&state, &user, Some(id)).await
}

/// A question answered with radio buttons.
pub struct RadioGroup {
    /// Field name and id.
    pub name: &'static str,
    /// The question.
    pub legend: &'static str,
    /// Help, or empty.
    pub hint: &'static str,
    /// The choices.
    pub choices: Vec<Choice>,
}

fn group(
    name: &'static str,
    legend: &'static str,
    hint: &'static str,
    choices: Vec<Choice>,
) -> RadioGroup {
    RadioGroup {
        name,
        legend,
        hint,
        choices,
    }
}

/// One earlier grading, ready to show.
pub struct GradingLine {
    /// When and by whom.
    pub when: String,
    /// Who.
    pub who: String,
    /// Harm, risk and response, in words.
    pub decision: String,
    /// Why.
    pub reason: String,
}

#[derive(Template)]
#[template(path = "triage_form.html")]
struct TriagePage {
    layout: Layout,
    reference: String,
    summary: String,
    description: String,
    version: i64,
    regrading: bool,
    kinds: Vec<RadioGroup>,
    categories: Vec<Choice>,
    gradings: Vec<RadioGroup>,
    handlers: Vec<Choice>,
    no_action_reason: String,
    reason: String,
    errors: FieldErrors,
    conflict: Option<String>,
    /// After a conflict: what this manager had chosen, not saved.
    unsaved: Option<String>,
    similar_person: Vec<IncidentRow>,
    similar_area: Vec<IncidentRow>,
    similar_words: Vec<IncidentRow>,
    history: Vec<GradingLine>,
}

fn choose<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    chosen: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: code(*v) == chosen,
        })
        .collect()
}

/// Builds the form: `draft` holds what to show (typed, or the current grading).
async fn triage_page(
    state: &AppState,
    user: &CurrentUser,
    reference: IncidentReference,
    draft: Option<TriageDraft>,
    errors: FieldErrors,
    conflict: Option<String>,
) -> Result<TriagePage, WebError> {
    let ctx = &state.ctx;
    let view = show_incident(ctx, &user.actor, reference).await?;
    let i = &view.incident;
    let service = ctx
        .store
        .service(user.actor.organisation_id, i.service_id)
        .await?;
    if !user.actor.can_in(Permission::TriageIncidents, &service) {
        return Err(WebError::NotFound);
    }
    let current = i.grading.as_ref();
    let d = draft.unwrap_or_else(|| TriageDraft {
        kind: current.map_or(i.kind, |g| g.kind).code().to_owned(),
        category: current.map_or(i.category, |g| g.category).code().to_owned(),
        physical_harm: current
            .map(|g| g.physical_harm.code())
            .unwrap_or("")
            .to_owned(),
        psychological_harm: current
            .map(|g| g.psychological_harm.code())
            .unwrap_or("")
            .to_owned(),
        learning_response: current
            .map(|g| g.learning_response.code())
            .unwrap_or("")
            .to_owned(),
        handler: current
            .and_then(|g| g.handler.as_ref())
            .map(|(id, _)| id.to_string())
            .unwrap_or_default(),
        ..TriageDraft::default()
    });
    let history = grading_history(ctx, &user.actor, reference).await?;
    let (consequence, likelihood) = history.last().map_or((String::new(), String::new()), |g| {
        (
            g.grading.consequence.code().to_owned(),
            g.grading.likelihood.code().to_owned(),
        )
    });
    let consequence = if d.consequence.is_empty() {
        consequence
    } else {
        d.consequence.clone()
    };
    let likelihood = if d.likelihood.is_empty() {
        likelihood
    } else {
        d.likelihood.clone()
    };
    let similar = similar_incidents(ctx, &user.actor, &view).await?;
    let rows = |list: &[crate::store::incidents::IncidentSummary]| -> Vec<IncidentRow> {
        list.iter().map(IncidentRow::from).collect()
    };
    let similar_person = rows(&similar.same_person);
    let similar_area = rows(&similar.same_area);
    let similar_words = rows(&similar.similar_words);
    let handlers = staff_of_service(ctx, &service)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            selected: id.to_string() == d.handler,
            value: id.to_string(),
            label: name,
        })
        .collect();
    Ok(TriagePage {
        layout: Layout::new(format!("Triage {reference}"), user, state.demo),
        reference: reference.to_string(),
        summary: format!(
            "{}: {}, at {}, happened {}",
            i.kind.label(),
            i.category.label(),
            i.service_name,
            display::date_time(i.occurred_at)
        ),
        description: i.description.clone(),
        version: i.version,
        regrading: current.is_some(),
        kinds: vec![group(
            "kind",
            "Confirm what it was",
            "",
            choose(EventKind::ALL, EventKind::code, EventKind::label, &d.kind),
        )],
        categories: choose(Category::ALL, Category::code, Category::label, &d.category),
        gradings: vec![
            group(
                "physical_harm",
                "Physical harm",
                "As far as you know now: you can grade it again later.",
                choose(
                    PhysicalHarm::ALL,
                    PhysicalHarm::code,
                    PhysicalHarm::label,
                    &d.physical_harm,
                ),
            ),
            group(
                "psychological_harm",
                "Psychological harm",
                "",
                choose(
                    PsychologicalHarm::ALL,
                    PsychologicalHarm::code,
                    PsychologicalHarm::label,
                    &d.psychological_harm,
                ),
            ),
            group(
                "consequence",
                "Consequence",
                "How bad it was, or for a near miss how bad it could credibly have been.",
                choose(
                    Consequence::ALL,
                    Consequence::code,
                    Consequence::label,
                    &consequence,
                ),
            ),
            group(
                "likelihood",
                "Likelihood of it happening again",
                "",
                choose(
                    Likelihood::ALL,
                    Likelihood::code,
                    Likelihood::label,
                    &likelihood,
                ),
            ),
            group(
                "learning_response",
                "Learning response",
                "In proportion to what can be learned.",
                choose(
                    LearningResponse::ALL,
                    LearningResponse::code,
                    LearningResponse::label,
                    &d.learning_response,
                ),
            ),
        ],
        handlers,
        no_action_reason: d.no_action_reason,
        reason: d.reason,
        errors,
        conflict,
        unsaved: None,
        similar_person,
        similar_area,
        similar_words,
        history: history
            .iter()
            .rev()
            .map(|g| GradingLine {
                when: display::date_time(g.graded_at),
                who: g.graded_by_name.clone(),
                decision: format!(
                    "{}; {}; risk {} ({}); {}",
                    g.grading.physical_harm.label(),
                    g.grading.psychological_harm.label(),
                    g.grading.risk_score,
                    g.grading.risk_band.label(),
                    g.grading.learning_response.label()
                ),
                reason: g.grading.reason.clone(),
            })
            .collect(),
    })
}

/// GET /incidents/{reference}/triage
pub async fn show_triage_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let page = triage_page(&state, &user, reference, None, FieldErrors::new(), None).await?;
    Ok(render(&page)?.into_response())
}

/// Reads the triage form.
fn triage_draft(form: &CsrfForm) -> TriageDraft {
    TriageDraft {
        kind: form.get("kind"),
        category: form.get("category"),
        physical_harm: form.get("physical_harm"),
        psychological_harm: form.get("psychological_harm"),
        consequence: form.get("consequence"),
        likelihood: form.get("likelihood"),
        learning_response: form.get("learning_response"),
        no_action_reason: form.get("no_action_reason"),
        handler: form.get("handler"),
        reason: form.get("reason"),
    }
}

/// POST /incidents/{reference}/triage
pub async fn create_triage(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let draft = triage_draft(&form);
    let version: i64 = form.get("version").parse().unwrap_or(0);
    match triage_incident(&state.ctx, &user.actor, reference, &draft, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{reference}#triage")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = triage_page(&state, &user, reference, Some(draft), errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(ActionError::Conflict(message)) => {
            // Show the other manager's decision, not what was typed over it.
            let mut page = triage_page(
                &state,
                &user,
                reference,
                None,
                FieldErrors::new(),
                Some(message),
            )
            .await?;
            let word = |code: &str, label: Option<&'static str>| label.unwrap_or(code).to_owned();
            page.unsaved = Some(format!(
                "{}; {}; consequence {}, likelihood {}; {}{}",
                word(
                    &draft.physical_harm,
                    PhysicalHarm::parse(&draft.physical_harm).map(|h| h.label())
                ),
                word(
                    &draft.psychological_harm,
                    PsychologicalHarm::parse(&draft.psychological_harm).map(|h| h.label())
                ),
                draft.consequence,
                draft.likelihood,
                word(
                    &draft.learning_response,
                    LearningResponse::parse(&draft.learning_response).map(|r| r.label())
                ),
                if draft.reason.trim().is_empty() {
                    String::new()
                } else {
                    format!(". Your reason: {}", draft.reason.trim())
                }
            ));
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
