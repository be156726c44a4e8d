//! The register of external guidance and safety alerts, and one alert's
//! page with the next step to record.

use crate::actions::ActionError;
use crate::actions::alerts::{
    AlertLine, StepDraft, add_alert_action, alert_view, finish_alert_action, leads_alerts,
    log_alert, record, register,
};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::alerts::{AlertDraft, AlertKind, AlertStatus};
use candour_domain::display;
use candour_domain::validation::FieldErrors;

/// An alert in the register.
pub struct AlertRow {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: &'static str,
    /// Received.
    pub received: String,
    /// Deadline, or empty.
    pub deadline: String,
    /// Owner, or empty.
    pub owner: String,
    /// Status label.
    pub status: &'static str,
    /// Whether it is overdue.
    pub overdue: bool,
}

impl From<&AlertLine> for AlertRow {
    fn from(l: &AlertLine) -> Self {
        let a = &l.alert;
        AlertRow {
            id: a.alert_id.to_string(),
            reference: a.reference.clone(),
            title: a.title.clone(),
            kind: a.kind.label(),
            received: display::civil_date(a.received_on),
            deadline: a.deadline.map(display::civil_date).unwrap_or_default(),
            owner: a.owner.as_ref().map(|o| o.1.clone()).unwrap_or_default(),
            status: l.status.label(),
            overdue: l.status == AlertStatus::Overdue,
        }
    }
}

#[derive(Template)]
#[template(path = "alerts.html")]
struct AlertsPage {
    layout: Layout,
    rows: Vec<AlertRow>,
    can_log: bool,
    kinds: Vec<(&'static str, &'static str)>,
    draft: AlertDraft,
    errors: FieldErrors,
}

async fn alerts_page(
    state: &AppState,
    user: &CurrentUser,
    draft: AlertDraft,
    errors: FieldErrors,
) -> Result<AlertsPage, WebError> {
    let lines = register(&state.ctx, &user.actor).await?;
    Ok(AlertsPage {
        layout: Layout::new("Safety alerts and guidance", user, state.demo),
        rows: lines.iter().map(AlertRow::from).collect(),
        can_log: leads_alerts(&user.actor),
        kinds: AlertKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        draft,
        errors,
    })
}

/// GET /alerts
pub async fn list_alerts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    Ok(
        render(&alerts_page(&state, &user, AlertDraft::default(), FieldErrors::new()).await?)?
            .into_response(),
    )
}

/// POST /alerts: logs an alert received.
pub async fn create_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = AlertDraft {
        reference: form.get("reference"),
        title: form.get("title"),
        kind: form.get("kind"),
        issued_on: form.get("issued_on"),
        received_on: form.get("received_on"),
        deadline: form.get("deadline"),
        summary: form.get("summary"),
    };
    match log_alert(&state.ctx, &user.actor, &draft).await {
        Ok(id) => Ok(Redirect::to(&format!("/alerts/{id}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = alerts_page(&state, &user, draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// An action on an alert, as shown.
pub struct ActionRow {
    /// Id.
    pub id: String,
    /// What.
    pub title: String,
    /// Owner.
    pub owner: String,
    /// Due.
    pub due: String,
    /// Done by and when, or empty.
    pub done: String,
    /// Whether the reader may mark it done.
    pub can_finish: bool,
}

#[derive(Template)]
#[template(path = "alert.html")]
struct AlertPage {
    layout: Layout,
    row: AlertRow,
    summary: String,
    issued: String,
    logged: String,
    acknowledged: String,
    decision: Option<(bool, String, String)>,
    staff_told: String,
    completed: Option<(String, String)>,
    signed_off: Option<(String, String)>,
    actions: Vec<ActionRow>,
    lessons: Vec<(String, String, String)>,
    version: i64,
    next: &'static str,
    can_act: bool,
    staff: Vec<(String, String)>,
    step: StepDraft,
    action: (String, String, String),
    errors: FieldErrors,
}

fn parse_alert(s: &str) -> Result<uuid::Uuid, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

async fn alert_page(
    state: &AppState,
    user: &CurrentUser,
    id: uuid::Uuid,
) -> Result<AlertPage, WebError> {
    let v = alert_view(&state.ctx, &user.actor, id).await?;
    let a = &v.line.alert;
    let who = |x: &Option<(String, jiff::Timestamp)>| {
        x.as_ref()
            .map(|(by, at)| format!("{by}, {}", display::date_time(*at)))
            .unwrap_or_default()
    };
    let relevant = a.decision.as_ref().is_some_and(|d| d.0);
    let next = match v.line.status {
        _ if a.acknowledged.is_none() && v.leads => "acknowledge",
        _ if a.acknowledged.is_some() && a.decision.is_none() && v.leads => "decide",
        _ if relevant && a.completed.is_none() && (v.leads || v.owns) => "act",
        _ if a.completed.is_some() && a.signed_off.is_none() && v.signs_off => "sign_off",
        _ => "",
    };
    let staff = state
        .ctx
        .store
        .staff_with_grants(user.actor.organisation_id)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id.to_string(), name))
        .collect();
    Ok(AlertPage {
        layout: Layout::new(format!("{}: {}", a.reference, a.title), user, state.demo),
        row: AlertRow::from(&v.line),
        summary: a.summary.clone(),
        issued: display::civil_date(a.issued_on),
        logged: who(&Some(a.logged.clone())),
        acknowledged: who(&a.acknowledged),
        decision: a.decision.as_ref().map(|(rel, why, by, at)| {
            (
                *rel,
                why.clone(),
                format!("{by}, {}", display::date_time(*at)),
            )
        }),
        staff_told: a
            .staff_told
            .as_ref()
            .map(|(how, on)| format!("{how} ({})", display::civil_date(*on)))
            .unwrap_or_default(),
        completed: a
            .completed
            .as_ref()
            .map(|(ev, by, at)| (ev.clone(), format!("{by}, {}", display::date_time(*at)))),
        signed_off: a
            .signed_off
            .as_ref()
            .map(|(by, at, note)| (format!("{by}, {}", display::date_time(*at)), note.clone())),
        actions: v
            .actions
            .iter()
            .map(|x| ActionRow {
                id: x.action_id.to_string(),
                title: x.title.clone(),
                owner: x.owner.1.clone(),
                due: display::civil_date(x.due_on),
                done: who(&x.done),
                can_finish: x.done.is_none()
                    && a.completed.is_none()
                    && (v.leads || v.owns || x.owner.0 == user.actor.user_id),
            })
            .collect(),
        lessons: v
            .lessons
            .iter()
            .map(|(id, title, read, asked)| {
                (id.to_string(), title.clone(), format!("{read} of {asked}"))
            })
            .collect(),
        version: a.version,
        can_act: !next.is_empty(),
        next,
        staff,
        step: StepDraft::default(),
        action: (
            String::new(),
            String::new(),
            a.deadline.map(|d| d.to_string()).unwrap_or_default(),
        ),
        errors: FieldErrors::new(),
    })
}

/// GET /alerts/{id}
pub async fn show_alert(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    Ok(render(&alert_page(&state, &user, parse_alert(&id)?).await?)?.into_response())
}

/// POST /alerts/{id}/steps: the next step.
pub async fn record_alert_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_alert(&id)?;
    let version = form.get("version").parse().unwrap_or(-1);
    let d = StepDraft {
        step: form.get("step"),
        relevant: form.get("relevant"),
        text: form.get("text"),
        owner: form.get("owner"),
        on: form.get("on"),
    };
    match record(&state.ctx, &user.actor, (id, version), &d).await {
        Ok(()) => Ok(Redirect::to(&format!("/alerts/{id}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = alert_page(&state, &user, id).await?;
            page.errors = errors;
            page.step = d;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /alerts/{id}/actions: an action, due by the alert's deadline.
pub async fn add_alert_action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_alert(&id)?;
    let typed = (
        form.get("action_title"),
        form.get("action_owner"),
        form.get("action_due_on"),
    );
    match add_alert_action(&state.ctx, &user.actor, id, (&typed.0, &typed.1, &typed.2)).await {
        Ok(()) => Ok(Redirect::to(&format!("/alerts/{id}#actions")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = alert_page(&state, &user, id).await?;
            page.errors = errors;
            page.action = typed;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /alerts/{id}/actions/{action_id}/done
pub async fn finish_alert_action_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    _form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_alert(&id)?;
    finish_alert_action(&state.ctx, &user.actor, (id, parse_alert(&action)?)).await?;
    Ok(Redirect::to(&format!("/alerts/{id}#actions")).into_response())
}
