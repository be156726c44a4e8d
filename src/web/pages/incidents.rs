//! Reading incidents: a service's list, "My reports" and a record's history.
//! (The report form is `report`; one incident's page is `incident_page`.)

use crate::actions::audit::incident_history;
use crate::actions::drafts::my_drafts;
use crate::actions::incidents::{PAGE_SIZE, list_incidents, my_reports};
use crate::store::incidents::{IncidentFilter, IncidentSummary, ListCursor};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use candour_domain::display;
use candour_domain::ids::{IncidentId, ServiceId};
use candour_domain::incident::{Category, EventKind, IncidentReference};
use candour_domain::role::Permission;
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
    /// When feedback was first given, or empty.
    pub feedback: String,
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
            feedback: s.first_feedback_at.map(display::date).unwrap_or_default(),
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

/// Something new for the reader, ready to show.
pub struct NoticeLine {
    /// What it is.
    pub what: &'static str,
    /// The reference of what it is about.
    pub reference: String,
    /// Where to read it.
    pub path: String,
    /// When.
    pub when: String,
    /// Whether it is still unread.
    pub unread: bool,
}

/// A draft not yet sent, ready to show.
pub struct DraftLine {
    /// Its id.
    pub id: String,
    /// What it is, as far as typed.
    pub what: String,
    /// When last saved.
    pub saved: String,
}

/// One of the reader's reports with the feedback they were given.
pub struct MyReportRow {
    /// The report.
    pub row: IncidentRow,
    /// Feedback to them, oldest first: (when, who, what).
    pub feedback: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "my_reports.html")]
struct MyReportsPage {
    layout: Layout,
    notices: Vec<NoticeLine>,
    drafts: Vec<DraftLine>,
    rows: Vec<MyReportRow>,
}

/// GET /my-reports: the reporter's reports with their status and feedback,
/// and what is new for them.
pub async fn list_my_reports(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let rows = my_reports(&state.ctx, &user.actor).await?;
    let feedback = state
        .ctx
        .store
        .feedback_to_reporter(user.actor.user_id)
        .await?;
    let notices = crate::actions::incidents::my_notifications(&state.ctx, &user.actor, 20)
        .await?
        .into_iter()
        .map(|n| NoticeLine {
            what: n.kind.label(),
            reference: n.reference.clone(),
            path: n.path.clone(),
            when: display::date_time_ms(n.created_at_ms),
            unread: !n.read,
        })
        .collect();
    let drafts = my_drafts(&state.ctx, &user.actor)
        .await?
        .into_iter()
        .map(|d| {
            let what = match (EventKind::parse(&d.kind), Category::parse(&d.category)) {
                (Some(k), Some(c)) => format!("{}: {}", k.label(), c.label()),
                (Some(k), None) => k.label().to_owned(),
                (None, Some(c)) => c.label().to_owned(),
                (None, None) => "A report".to_owned(),
            };
            DraftLine {
                id: d.draft_id.to_string(),
                what: match d.service_name {
                    Some(s) => format!("{what} at {s}"),
                    None => what,
                },
                saved: display::date_time_ms(d.updated_at_ms),
            }
        })
        .collect();
    let page = MyReportsPage {
        layout: Layout::new("My reports", &user, state.demo),
        notices,
        drafts,
        rows: rows
            .iter()
            .map(|r| MyReportRow {
                row: IncidentRow::from(r),
                feedback: feedback
                    .iter()
                    .filter(|f| f.incident_id == r.incident_id)
                    .map(|f| {
                        (
                            display::date_time_ms(f.created_at_ms),
                            f.author_name.clone(),
                            f.body.clone(),
                        )
                    })
                    .collect(),
            })
            .collect(),
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
            let changes =
                match h.event.details() {
                    Some(details) => serde_json::from_str::<
                        serde_json::Map<String, serde_json::Value>,
                    >(details)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(field, v)| (field, show_value(&v["before"]), show_value(&v["after"])))
                    .collect(),
                    // Destroyed with the record under retention: which fields changed is kept.
                    None => h
                        .event
                        .field_names()
                        .into_iter()
                        .map(|field| (field, "(destroyed)".to_owned(), "(destroyed)".to_owned()))
                        .collect(),
                };
            HistoryLine {
                when: display::date_time_ms(h.event.occurred_at_ms),
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
