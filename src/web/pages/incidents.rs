//! Reporting an incident and reading incidents: the report form, the
//! incident page, a service's list, "My reports" and a record's history.

use crate::actions::audit::incident_history;
use crate::actions::incidents::{PAGE_SIZE, list_incidents, my_reports, report_incident_once};
use crate::actions::{ActionError, services_where};
use crate::store::incidents::{IncidentFilter, IncidentSummary, ListCursor};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::ids::{IncidentId, ServiceId};
use candour_domain::incident::{Category, EventKind, IncidentReference, ReportDraft, london};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde::Deserialize;

/// One line of an incident list, ready to show.
pub struct IncidentRow {
    /// `INC-000123`.
    pub reference: String,
    /// Kind label.
    pub kind: &'static str,
    /// Category label.
    pub category: &'static str,
    /// Status label.
    pub status: &'static str,
    /// Service name.
    pub service: String,
    /// Area name or empty.
    pub area: String,
    /// When it happened.
    pub occurred: String,
    /// When it was reported.
    pub reported: String,
    /// The start of the description.
    pub excerpt: String,
}

impl From<&IncidentSummary> for IncidentRow {
    fn from(s: &IncidentSummary) -> Self {
        let mut excerpt: String = s.description.chars().take(120).collect();
        if s.description.chars().count() > 120 {
            excerpt.push('…');
        }
        IncidentRow {
            reference: s.reference.to_string(),
            kind: s.kind.label(),
            category: s.category.label(),
            status: s.status.label(),
            service: s.service_name.clone(),
            area: s.area_name.clone().unwrap_or_default(),
            occurred: display::date_time(s.occurred_at),
            reported: display::date_time(s.reported_at),
            excerpt,
        }
    }
}

/// A choice in a list of options.
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Whether it is selected.
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "incident_new.html")]
struct NewIncidentPage {
    layout: Layout,
    /// Services to choose from when none is chosen yet.
    service_choices: Vec<Choice>,
    /// The chosen service, when there is one.
    service_id: String,
    service_name: String,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    areas: Vec<Choice>,
    people: Vec<Choice>,
    draft: ReportDraft,
    errors: FieldErrors,
    /// One key per filled-in form: a double-tapped "Send" files one report.
    idempotency_key: String,
}

/// Query of the report form.
#[derive(Debug, Deserialize)]
pub struct NewQuery {
    service: Option<String>,
}

/// GET /incidents/new
pub async fn new_incident_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let now = state.ctx.clock.now().to_zoned(london());
    let draft = ReportDraft {
        service_id: q.service.unwrap_or_default(),
        occurred_date: now.date().to_string(),
        occurred_time: now.time().strftime("%H:%M").to_string(),
        ..ReportDraft::default()
    };
    let key = uuid::Uuid::now_v7().to_string();
    let page = report_page(&state, &user, draft, FieldErrors::new(), key).await?;
    Ok(render(&page)?.into_response())
}

async fn report_page(
    state: &AppState,
    user: &CurrentUser,
    draft: ReportDraft,
    errors: FieldErrors,
    idempotency_key: String,
) -> Result<NewIncidentPage, WebError> {
    let ctx = &state.ctx;
    let services = services_where(ctx, &user.actor, Permission::ReportIncident).await?;
    if services.is_empty() {
        return Err(WebError::Forbidden);
    }
    let chosen = match services.as_slice() {
        [only] => Some(only.clone()),
        _ => services
            .iter()
            .find(|s| s.service_id.to_string() == draft.service_id.trim())
            .cloned(),
    };
    let choices = |all: Vec<(String, String)>, current: &[String]| -> Vec<Choice> {
        all.into_iter()
            .map(|(value, label)| Choice {
                selected: current.contains(&value),
                value,
                label,
            })
            .collect()
    };
    let kinds = choices(
        EventKind::ALL
            .iter()
            .map(|k| (k.code().to_owned(), k.label().to_owned()))
            .collect(),
        std::slice::from_ref(&draft.kind),
    );
    let categories = choices(
        Category::ALL
            .iter()
            .map(|c| (c.code().to_owned(), c.label().to_owned()))
            .collect(),
        std::slice::from_ref(&draft.category),
    );
    let (mut areas, mut people) = (Vec::new(), Vec::new());
    if let Some(s) = &chosen {
        let a = ctx
            .store
            .areas(user.actor.organisation_id, s.service_id)
            .await?;
        areas = choices(
            a.into_iter()
                .map(|a| (a.area_id.to_string(), a.name))
                .collect(),
            std::slice::from_ref(&draft.area_id),
        );
        let p = ctx
            .store
            .current_people(user.actor.organisation_id, s.service_id)
            .await?;
        people = choices(
            p.into_iter()
                .map(|p| {
                    let room = p.room.map(|r| format!(", {r}")).unwrap_or_default();
                    (p.person_id.to_string(), format!("{}{room}", p.display_name))
                })
                .collect(),
            &draft.affected_person_ids,
        );
    }
    let service_choices = if chosen.is_none() {
        choices(
            services
                .iter()
                .map(|s| (s.service_id.to_string(), s.name.clone()))
                .collect(),
            &[],
        )
    } else {
        Vec::new()
    };
    Ok(NewIncidentPage {
        layout: Layout::new("Report an incident", user, state.demo),
        service_choices,
        service_id: chosen
            .as_ref()
            .map(|s| s.service_id.to_string())
            .unwrap_or_default(),
        service_name: chosen.map(|s| s.name).unwrap_or_default(),
        kinds,
        categories,
        areas,
        people,
        draft,
        errors,
        idempotency_key,
    })
}

/// POST /incidents
pub async fn create_incident(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = ReportDraft {
        kind: form.get("kind"),
        category: form.get("category"),
        service_id: form.get("service_id"),
        area_id: form.get("area_id"),
        occurred_at: String::new(),
        occurred_date: form.get("occurred_date"),
        occurred_time: form.get("occurred_time"),
        description: form.get("description"),
        immediate_actions: form.get("immediate_actions"),
        affected_person_ids: form.all("affected_person_ids"),
        others_involved: form.get("others_involved"),
    };
    let key = Some(form.get("idempotency_key")).filter(|k| !k.is_empty());
    let mut result = report_incident_once(&state.ctx, &user.actor, &draft, key.as_deref()).await;
    if let Err(ActionError::Conflict(_)) = result {
        // The same form sent again with other content (Back, edit, Send) is a
        // new report, not a retry: file it under a fresh key.
        let fresh = uuid::Uuid::now_v7().to_string();
        result = report_incident_once(&state.ctx, &user.actor, &draft, Some(&fresh)).await;
    }
    match result {
        Ok(r) => {
            Ok(Redirect::to(&format!("/incidents/{}?reported=1", r.reference)).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let key = key.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
            let page = report_page(&state, &user, draft, errors, key).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads a reference from a path; anything unreadable is simply not found.
pub(crate) fn parse_reference(s: &str) -> Result<IncidentReference, WebError> {
    IncidentReference::parse(s).ok_or(WebError::NotFound)
}

#[derive(Template)]
#[template(path = "incident_list.html")]
struct IncidentListPage {
    layout: Layout,
    heading: String,
    rows: Vec<IncidentRow>,
    next: Option<String>,
    report_link: Option<String>,
}

/// Query of a list page.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

/// Encodes a list cursor for a URL.
pub fn encode_cursor(s: &IncidentSummary) -> String {
    format!("{}_{}", s.reported_at.as_millisecond(), s.incident_id)
}

/// Decodes a list cursor; a malformed one is a 400 naming the parameter.
pub fn decode_cursor(s: &str) -> Result<ListCursor, WebError> {
    let bad =
        || WebError::BadRequest("The cursor parameter is not one Candour gave out".to_owned());
    let (ms, id) = s.split_once('_').ok_or_else(bad)?;
    Ok(ListCursor {
        reported_at_ms: ms.parse().map_err(|_| bad())?,
        incident_id: id.parse::<IncidentId>().map_err(|_| bad())?,
    })
}

/// GET /services/{service_id}/incidents
pub async fn list_service_incidents(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(service_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let service_id: ServiceId = service_id.parse().map_err(|_| WebError::NotFound)?;
    let after = q.after.as_deref().map(decode_cursor).transpose()?;
    let service = state
        .ctx
        .store
        .service(user.actor.organisation_id, service_id)
        .await?;
    let rows = list_incidents(
        &state.ctx,
        &user.actor,
        Some(service_id),
        &IncidentFilter::default(),
        after,
    )
    .await?;
    let next = (rows.len() as i64 == PAGE_SIZE)
        .then(|| {
            rows.last().map(|r| {
                format!(
                    "/services/{service_id}/incidents?after={}",
                    encode_cursor(r)
                )
            })
        })
        .flatten();
    let page = IncidentListPage {
        layout: Layout::new(format!("Incidents at {}", service.name), &user, state.demo),
        heading: format!("Incidents at {}", service.name),
        rows: rows.iter().map(IncidentRow::from).collect(),
        next,
        report_link: user
            .actor
            .can_in(Permission::ReportIncident, &service)
            .then(|| format!("/incidents/new?service={service_id}")),
    };
    Ok(render(&page)?.into_response())
}

/// GET /my-reports
pub async fn list_my_reports(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let rows = my_reports(&state.ctx, &user.actor).await?;
    let page = IncidentListPage {
        layout: Layout::new("My reports", &user, state.demo),
        heading: "My reports".to_owned(),
        rows: rows.iter().map(IncidentRow::from).collect(),
        next: None,
        report_link: user
            .actor
            .can_anywhere(Permission::ReportIncident)
            .then(|| "/incidents/new".to_owned()),
    };
    Ok(render(&page)?.into_response())
}

/// One history line, ready to show.
pub struct HistoryLine {
    /// When.
    pub when: String,
    /// Who.
    pub who: String,
    /// What.
    pub action: String,
    /// Field changes: (field, before, after).
    pub changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "incident_history.html")]
struct HistoryPage {
    layout: Layout,
    reference: String,
    lines: Vec<HistoryLine>,
}

/// GET /incidents/{reference}/history
pub async fn show_incident_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let entries = incident_history(&state.ctx, &user.actor, reference).await?;
    let lines = entries
        .into_iter()
        .map(|h| {
            let changes = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(
                &h.event.changes,
            )
            .unwrap_or_default()
            .into_iter()
            .map(|(field, v)| (field, show_value(&v["before"]), show_value(&v["after"])))
            .collect();
            HistoryLine {
                when: jiff::Timestamp::from_millisecond(h.event.occurred_at_ms)
                    .map(display::date_time)
                    .unwrap_or_default(),
                who: h.actor_name,
                action: h.event.action.replace(['.', '_'], " "),
                changes,
            }
        })
        .collect();
    let page = HistoryPage {
        layout: Layout::new(format!("History of {reference}"), &user, state.demo),
        reference: reference.to_string(),
        lines,
    };
    Ok(render(&page)?.into_response())
}

fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "(none)".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
