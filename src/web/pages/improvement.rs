//! Action plans: adding an action from an incident or to a service's
//! improvement plan, the plan itself, and one action's page with its
//! progress and effectiveness check.

use super::incidents::{Choice, parse_reference};
use crate::actions::ActionError;
use crate::actions::improvement::{
    From, Progress, add_action, improvement_plan, link_incident, open_action, progress_action,
};
use crate::actions::incidents::staff_of_service;
use crate::store::improvement::ImprovementAction;
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
use candour_domain::improvement::{
    ActionDraft, ActionStatus, CqcTheme, Effectiveness, action_reference,
};
use candour_domain::incident::london;
use candour_domain::validation::FieldErrors;

/// An action, ready to show.
pub struct ActionLine {
    /// `ACT-000012`.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Owner's name.
    pub owner: String,
    /// Due date.
    pub due: String,
    /// Status label.
    pub status: &'static str,
    /// Whether it is open and past its date.
    pub overdue: bool,
    /// Themes, in words.
    pub themes: String,
    /// In the improvement plan.
    pub in_plan: bool,
    /// The incidents it came from.
    pub incidents: Vec<String>,
    /// Whether it worked, once checked.
    pub effectiveness: String,
}

/// Builds the lines of a list of actions.
pub fn action_lines(actions: &[ImprovementAction], today: jiff::civil::Date) -> Vec<ActionLine> {
    actions
        .iter()
        .map(|a| ActionLine {
            reference: action_reference(a.number),
            title: a.title.clone(),
            owner: a.owner.1.clone(),
            due: display::civil_date(a.due_on),
            status: a.status.label(),
            overdue: a.status.is_open() && a.due_on < today,
            themes: a
                .themes
                .iter()
                .map(|t| t.label())
                .collect::<Vec<_>>()
                .join(", "),
            in_plan: a.in_plan,
            incidents: a
                .incidents
                .iter()
                .map(|(_, n)| candour_domain::incident::IncidentReference(*n).to_string())
                .collect(),
            effectiveness: a
                .effectiveness
                .as_ref()
                .map(|e| e.0.label().to_owned())
                .unwrap_or_default(),
        })
        .collect()
}

/// The "add an action" form's choices and what was typed.
pub struct ActionForm {
    /// Where it posts.
    pub action: String,
    /// Owners to choose from.
    pub owners: Vec<Choice>,
    /// Themes to tick.
    pub themes: Vec<Choice>,
    /// What was typed.
    pub draft: ActionDraft,
    /// Problems.
    pub errors: FieldErrors,
    /// Whether to offer "carry into the improvement plan" (not on the plan itself).
    pub offer_plan: bool,
}

/// The form for adding an action in `service`, posting to `action`.
pub async fn action_form(
    state: &AppState,
    service: &crate::store::organisations::Service,
    action: String,
    draft: ActionDraft,
    errors: FieldErrors,
    offer_plan: bool,
) -> Result<ActionForm, WebError> {
    let owners = staff_of_service(&state.ctx, service)
        .await?
        .into_iter()
        .map(|(id, name)| Choice {
            selected: id.to_string() == draft.owner,
            value: id.to_string(),
            label: name,
        })
        .collect();
    let themes = CqcTheme::ALL
        .iter()
        .map(|t| Choice {
            selected: draft.themes.iter().any(|x| x == t.code()),
            value: t.code().to_owned(),
            label: t.label().to_owned(),
        })
        .collect();
    Ok(ActionForm {
        action,
        owners,
        themes,
        draft,
        errors,
        offer_plan,
    })
}

/// Reads the "add an action" form.
pub fn action_draft(form: &CsrfForm) -> ActionDraft {
    ActionDraft {
        title: form.get("title"),
        description: form.get("action_description"),
        owner: form.get("owner"),
        due_on: form.get("due_on"),
        themes: form.all("themes"),
        in_plan: form.get("in_plan") == "yes",
    }
}

/// POST /incidents/{reference}/actions
pub async fn create_incident_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let draft = action_draft(&form);
    match add_action(&state.ctx, &user.actor, From::Incident(reference), &draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{reference}#actions")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let view = crate::actions::incidents::show_incident(&state.ctx, &user.actor, reference)
                .await?;
            let mut p = super::incident_page::page(
                &state,
                &user,
                view,
                false,
                FieldErrors::new(),
                String::new(),
            );
            p.with_action_form(&state, draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "improvement_plan.html")]
struct PlanPage {
    layout: Layout,
    service_name: String,
    lines: Vec<ActionLine>,
    form: ActionForm,
}

async fn plan_page(
    state: &AppState,
    user: &CurrentUser,
    service: ServiceId,
    draft: ActionDraft,
    errors: FieldErrors,
) -> Result<PlanPage, WebError> {
    let (s, actions) = improvement_plan(&state.ctx, &user.actor, service).await?;
    let today = state.ctx.clock.now().to_zoned(london()).date();
    let form = action_form(
        state,
        &s,
        format!("/services/{}/improvement-plan", s.service_id),
        draft,
        errors,
        false,
    )
    .await?;
    Ok(PlanPage {
        layout: Layout::new(format!("Improvement plan: {}", s.name), user, state.demo),
        service_name: s.name,
        lines: action_lines(&actions, today),
        form,
    })
}

/// GET /services/{service_id}/improvement-plan
pub async fn show_improvement_plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service): Path<String>,
) -> Result<Response, WebError> {
    let id: ServiceId = service.parse().map_err(|_| WebError::NotFound)?;
    let page = plan_page(
        &state,
        &user,
        id,
        ActionDraft::default(),
        FieldErrors::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// POST /services/{service_id}/improvement-plan: an action straight into the plan.
pub async fn create_plan_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id: ServiceId = service.parse().map_err(|_| WebError::NotFound)?;
    let draft = action_draft(&form);
    match add_action(&state.ctx, &user.actor, From::Plan(id), &draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/services/{id}/improvement-plan")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = plan_page(&state, &user, id, draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    layout: Layout,
    line: ActionLine,
    service_id: String,
    service_name: String,
    description: String,
    evidence: String,
    effectiveness_note: String,
    completed: String,
    version: i64,
    statuses: Vec<Choice>,
    results: Vec<Choice>,
    can_plan: bool,
    /// Whether the reader may link more incidents (a reviewer of the service).
    can_link: bool,
    /// The reference typed to link, kept when refused.
    link_typed: String,
    errors: FieldErrors,
    conflict: Option<String>,
}

async fn action_page(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
    errors: FieldErrors,
    conflict: Option<String>,
) -> Result<ActionPage, WebError> {
    let (a, reviewer) = open_action(&state.ctx, &user.actor, reference).await?;
    let today = state.ctx.clock.now().to_zoned(london()).date();
    let line = action_lines(std::slice::from_ref(&a), today).remove(0);
    Ok(ActionPage {
        layout: Layout::new(format!("{} {}", line.reference, a.title), user, state.demo),
        service_id: a.service_id.to_string(),
        service_name: a.service_name.clone(),
        description: a.description.clone(),
        evidence: a.evidence.clone().unwrap_or_default(),
        effectiveness_note: a
            .effectiveness
            .as_ref()
            .map(|e| e.1.clone())
            .unwrap_or_default(),
        completed: a.completed_at.map(display::date_time).unwrap_or_default(),
        version: a.version,
        statuses: ActionStatus::ALL
            .iter()
            .map(|s| Choice {
                selected: *s == a.status,
                value: s.code().to_owned(),
                label: s.label().to_owned(),
            })
            .collect(),
        results: Effectiveness::ALL
            .iter()
            .map(|e| Choice {
                selected: a.effectiveness.as_ref().is_some_and(|x| x.0 == *e),
                value: e.code().to_owned(),
                label: e.label().to_owned(),
            })
            .collect(),
        can_plan: reviewer && !a.in_plan,
        can_link: reviewer,
        link_typed: String::new(),
        line,
        errors,
        conflict,
    })
}

/// GET /actions/{reference}
pub async fn show_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let page = action_page(&state, &user, &reference, FieldErrors::new(), None).await?;
    Ok(render(&page)?.into_response())
}

/// POST /actions/{reference}/incidents: links one more of the service's reports.
pub async fn create_action_link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let typed = form.get("incident");
    match link_incident(&state.ctx, &user.actor, &reference, &typed).await {
        Ok(a) => {
            Ok(Redirect::to(&format!("/actions/{}", action_reference(a.number))).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let mut page = action_page(&state, &user, &reference, errors, None).await?;
            page.link_typed = typed;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /actions/{reference}: progress, evidence, whether it worked.
pub async fn update_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let p = Progress {
        status: form.get("status"),
        evidence: form.get("evidence"),
        in_plan: form.get("in_plan") == "yes",
        effectiveness: form.get("effectiveness"),
        effectiveness_note: form.get("effectiveness_note"),
    };
    let version: i64 = form.get("version").parse().unwrap_or(0);
    match progress_action(&state.ctx, &user.actor, &reference, &p, version).await {
        Ok(a) => {
            Ok(Redirect::to(&format!("/actions/{}", action_reference(a.number))).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let page = action_page(&state, &user, &reference, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(ActionError::Conflict(m)) => {
            let page = action_page(&state, &user, &reference, FieldErrors::new(), Some(m)).await?;
            Ok((StatusCode::CONFLICT, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
