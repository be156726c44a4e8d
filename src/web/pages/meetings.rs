//! Lessons-learned meetings: the list with the urgent meetings to arrange,
//! arranging one, and the meeting's page (agenda, attendance, minutes,
//! decisions, actions, publishing).

use crate::actions::ActionError;
use crate::actions::improvement::{From, add_action};
use crate::actions::meetings::{
    add_attendee, arrange_for, meeting_view, meetings_for, proposals, publish_minutes, save_record,
};
use crate::actions::services_where;
use crate::store::meetings::Attendee;
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use crate::web::pages::improvement::{
    ActionForm, ActionLine, action_draft, action_form, action_lines,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::improvement::ActionDraft;
use candour_domain::incident::london;
use candour_domain::meetings::MeetingDraft;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde::Deserialize;

/// An urgent meeting to arrange, as shown.
pub struct ProposalLine {
    /// Service name.
    pub service: String,
    /// The form's address, filled in.
    pub arrange: String,
    /// `INC-000123`.
    pub reference: String,
    /// Why.
    pub why: String,
    /// Hold by.
    pub hold_by: String,
}

/// The urgent meetings the reader should arrange.
pub async fn proposal_lines(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<ProposalLine>, WebError> {
    Ok(proposals(&state.ctx, &user.actor)
        .await?
        .into_iter()
        .map(|p| ProposalLine {
            arrange: format!(
                "/meetings/new?service={}&kind=urgent&incident={}",
                p.service.service_id, p.reference
            ),
            service: p.service.name,
            reference: p.reference.to_string(),
            why: p.why,
            hold_by: display::civil_date(p.hold_by),
        })
        .collect())
}

/// A meeting in the list.
pub struct MeetingRow {
    /// Id.
    pub id: String,
    /// Kind label.
    pub kind: &'static str,
    /// Service.
    pub service: String,
    /// When.
    pub when: String,
    /// Arranged or published.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "meetings.html")]
struct MeetingsPage {
    layout: Layout,
    proposals: Vec<ProposalLine>,
    rows: Vec<MeetingRow>,
    /// Whether this is the newest page (no cursor).
    first_page: bool,
    /// The link to the next, older page, when there is one.
    older: Option<String>,
    can_arrange: bool,
}

/// Query of the list: where the page starts.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingsQuery {
    /// `{starts_at ms}_{meeting id}` of the last meeting of the page before.
    after: Option<String>,
}

/// Reads a page cursor; a malformed one is a 400 naming the parameter.
fn decode_after(s: &str) -> Result<(jiff::Timestamp, uuid::Uuid), WebError> {
    let bad = || WebError::BadRequest("The after parameter is not one Candour gave out".to_owned());
    let (ms, id) = s.split_once('_').ok_or_else(bad)?;
    let at = ms
        .parse::<i64>()
        .ok()
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .ok_or_else(bad)?;
    Ok((at, id.parse().map_err(|_| bad())?))
}

/// GET /meetings: the newest meetings first, a page at a time.
pub async fn list_meetings(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<MeetingsQuery>,
) -> Result<Response, WebError> {
    let after = q.after.as_deref().map(decode_after).transpose()?;
    let (lines, more) = meetings_for(&state.ctx, &user.actor, after).await?;
    let older = more
        .then(|| {
            lines.last().map(|l| {
                format!(
                    "/meetings?after={}_{}",
                    l.meeting.starts_at.as_millisecond(),
                    l.meeting.meeting_id
                )
            })
        })
        .flatten();
    let rows = lines
        .into_iter()
        .map(|l| MeetingRow {
            id: l.meeting.meeting_id.to_string(),
            kind: l.meeting.kind.label(),
            service: l.service_name,
            when: display::date_time(l.meeting.starts_at),
            status: if l.meeting.published.is_some() {
                "Minutes published"
            } else {
                "Arranged"
            },
        })
        .collect();
    let page = MeetingsPage {
        layout: Layout::new("Lessons-learned meetings", &user, state.demo),
        proposals: proposal_lines(&state, &user).await?,
        rows,
        first_page: after.is_none(),
        older,
        can_arrange: user.actor.can_anywhere(Permission::TriageIncidents),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "meeting_new.html")]
struct NewMeetingPage {
    layout: Layout,
    services: Vec<(String, String)>,
    service: String,
    /// The other services ticked for a group meeting.
    also: Vec<String>,
    draft: MeetingDraft,
    errors: FieldErrors,
}

/// Query of the form.
#[derive(Debug, Default, Deserialize)]
pub struct NewMeetingQuery {
    service: Option<String>,
    kind: Option<String>,
    incident: Option<String>,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    (service, also): (String, Vec<String>),
    draft: MeetingDraft,
    errors: FieldErrors,
) -> Result<NewMeetingPage, WebError> {
    let services: Vec<(String, String)> =
        services_where(&state.ctx, &user.actor, Permission::TriageIncidents)
            .await?
            .into_iter()
            .map(|s| (s.service_id.to_string(), s.name))
            .collect();
    if services.is_empty() {
        return Err(ActionError::Forbidden.into());
    }
    Ok(NewMeetingPage {
        layout: Layout::new("Arrange a lessons-learned meeting", user, state.demo),
        services,
        service,
        also,
        draft,
        errors,
    })
}

/// GET /meetings/new
pub async fn new_meeting_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewMeetingQuery>,
) -> Result<Response, WebError> {
    let draft = MeetingDraft {
        kind: q.kind.unwrap_or_else(|| "monthly".to_owned()),
        incident: q.incident.unwrap_or_default(),
        chair: user.actor.display_name.clone(),
        ..MeetingDraft::default()
    };
    let page = new_page(
        &state,
        &user,
        (q.service.unwrap_or_default(), Vec::new()),
        draft,
        FieldErrors::new(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// POST /meetings
pub async fn create_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let service = form.get("service");
    let draft = MeetingDraft {
        kind: form.get("kind"),
        date: form.get("date"),
        time: form.get("time"),
        location: form.get("location"),
        chair: form.get("chair"),
        incident: form.get("incident"),
    };
    let also: Vec<String> = form
        .pairs()
        .iter()
        .filter(|(k, _)| k == "also")
        .map(|(_, v)| v.clone())
        .collect();
    let mut also_ids = Vec::new();
    for a in &also {
        also_ids.push(a.parse().map_err(|_| WebError::NotFound)?);
    }
    let result = match service.parse() {
        Ok(id) => arrange_for(&state.ctx, &user.actor, (id, &also_ids), &draft).await,
        Err(_) => {
            let mut e = FieldErrors::new();
            e.add("service", "Choose the service the meeting is for");
            Err(ActionError::Invalid(e))
        }
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let page = new_page(&state, &user, (service, also), draft, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    layout: Layout,
    id: String,
    kind: &'static str,
    service: String,
    when: String,
    location: String,
    chair: String,
    incident: Option<String>,
    period: String,
    agenda: String,
    minutes: String,
    decisions: String,
    version: i64,
    published: Option<String>,
    attendees: Vec<(String, String, &'static str)>,
    lines: Vec<ActionLine>,
    can_edit: bool,
    errors: FieldErrors,
    attendee: Attendee,
    attendee_errors: FieldErrors,
    action_form: Option<ActionForm>,
}

fn parse_meeting(s: &str) -> Result<uuid::Uuid, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

async fn meeting_page(
    state: &AppState,
    user: &CurrentUser,
    id: uuid::Uuid,
) -> Result<MeetingPage, WebError> {
    let v = meeting_view(&state.ctx, &user.actor, id).await?;
    let m = v.meeting;
    let today = state.ctx.clock.now().to_zoned(london()).date();
    let action_form = if v.can_edit {
        Some(
            action_form(
                state,
                &v.service,
                format!("/meetings/{id}/actions"),
                ActionDraft::default(),
                FieldErrors::new(),
                false,
            )
            .await?,
        )
    } else {
        None
    };
    Ok(MeetingPage {
        layout: Layout::new(
            format!("{}: {}", m.kind.label(), v.service.name),
            user,
            state.demo,
        ),
        id: m.meeting_id.to_string(),
        kind: m.kind.label(),
        service: crate::actions::meetings::group_name(&v.group),
        when: display::date_time(m.starts_at),
        location: m.location,
        chair: m.chair,
        incident: m.incident.map(|r| r.to_string()),
        period: display::date(m.period_from),
        agenda: m.agenda,
        minutes: m.minutes,
        decisions: m.decisions,
        version: m.version,
        published: m
            .published
            .map(|(at, by)| format!("Published by {by} on {}", display::date_time(at))),
        attendees: v
            .attendees
            .into_iter()
            .map(|a| {
                let how = match a.attendance.as_str() {
                    "in_person" => "In person",
                    "online" => "Online",
                    _ => "Sent apologies",
                };
                (a.name, a.role, how)
            })
            .collect(),
        lines: action_lines(&v.actions, today),
        can_edit: v.can_edit,
        errors: FieldErrors::new(),
        attendee: Attendee {
            name: String::new(),
            role: String::new(),
            attendance: String::new(),
        },
        attendee_errors: FieldErrors::new(),
        action_form,
    })
}

/// GET /meetings/{id}
pub async fn show_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let page = meeting_page(&state, &user, parse_meeting(&id)?).await?;
    Ok(render(&page)?.into_response())
}

/// POST /meetings/{id}/record: the agenda, minutes and decisions.
pub async fn save_meeting_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_meeting(&id)?;
    let version = form.get("version").parse().unwrap_or(-1);
    let (agenda, minutes, decisions) = (
        form.get("agenda"),
        form.get("minutes"),
        form.get("decisions"),
    );
    match save_record(
        &state.ctx,
        &user.actor,
        (id, version),
        (&agenda, &minutes, &decisions),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}#record")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = meeting_page(&state, &user, id).await?;
            page.errors = errors;
            page.agenda = agenda;
            page.minutes = minutes;
            page.decisions = decisions;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /meetings/{id}/attendees
pub async fn add_meeting_attendee(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_meeting(&id)?;
    let a = Attendee {
        name: form.get("name"),
        role: form.get("role"),
        attendance: form.get("attendance"),
    };
    match add_attendee(&state.ctx, &user.actor, id, &a).await {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}#who-attended")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = meeting_page(&state, &user, id).await?;
            page.attendee_errors = errors;
            page.attendee = a;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /meetings/{id}/actions: an action agreed, into the service's improvement plan.
pub async fn add_meeting_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_meeting(&id)?;
    let draft = action_draft(&form);
    match add_action(&state.ctx, &user.actor, From::Meeting(id), &draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}#actions")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut page = meeting_page(&state, &user, id).await?;
            if let Some(f) = page.action_form.as_mut() {
                f.errors = errors;
                f.draft = draft;
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /meetings/{id}/publish: the minutes become evidence.
pub async fn publish_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let id = parse_meeting(&id)?;
    let version = form.get("version").parse().unwrap_or(-1);
    publish_minutes(&state.ctx, &user.actor, (id, version)).await?;
    Ok(Redirect::to(&format!("/meetings/{id}")).into_response())
}
