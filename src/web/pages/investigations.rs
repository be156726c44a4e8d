//! Serious incident investigations: the list, one investigation's working
//! page (meetings, timeline, contributory factors, findings and the
//! family's part, actions, completion) and its report.

use super::improvement::{ActionForm, ActionLine, action_draft, action_form, action_lines};
use super::incidents::{Choice, parse_reference};
use crate::actions::ActionError;
use crate::actions::improvement::{From, add_action};
use crate::actions::investigations::{
    InvestigationView, add_event, add_factor, add_meeting, complete, investigation_list,
    open_investigation, save_findings, show_investigation,
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
use candour_domain::improvement::ActionDraft;
use candour_domain::incident::london;
use candour_domain::investigation::{
    EventDraft, FactorDraft, FindingsDraft, Framework, MeetingDraft, OpeningDraft,
    investigation_reference,
};
use candour_domain::openness::Openness;
use candour_domain::timescales::TimeLeft;
use candour_domain::validation::FieldErrors;

/// How many attendee lines the meeting form offers.
const ATTENDEE_LINES: usize = 8;

/// One line of the list.
pub struct ListLine {
    /// `INV-000012`.
    pub reference: String,
    /// The incident's reference.
    pub incident: String,
    /// Service.
    pub service: String,
    /// Lead.
    pub lead: String,
    /// Status label.
    pub status: &'static str,
    /// Due, or completed, in words.
    pub due: String,
    /// Whether it is open and past its date.
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "investigation_list.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<ListLine>,
}

/// GET /investigations
pub async fn show_investigations(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let now = state.ctx.clock.now();
    let lines = investigation_list(&state.ctx, &user.actor)
        .await?
        .into_iter()
        .map(|v| {
            let (due, overdue) = match &v.completed {
                Some((_, at)) => (format!("Completed {}", display::date(*at)), false),
                None => {
                    let left = TimeLeft::at(now, v.due_at);
                    (
                        format!("{} ({})", left.describe(), display::date(v.due_at)),
                        matches!(left, TimeLeft::Overdue(_)),
                    )
                }
            };
            ListLine {
                reference: investigation_reference(v.number),
                incident: v.incident_reference.to_string(),
                service: v.service_name,
                lead: v.lead.1,
                status: v.status.label(),
                due,
                overdue,
            }
        })
        .collect();
    let page = ListPage {
        layout: Layout::new("Serious incident investigations", &user, state.demo),
        lines,
    };
    Ok(render(&page)?.into_response())
}

/// POST /incidents/{reference}/investigation
pub async fn create_investigation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let draft = OpeningDraft {
        lead: form.get("lead"),
        terms_of_reference: form.get("terms_of_reference"),
    };
    match open_investigation(&state.ctx, &user.actor, reference, &draft).await {
        Ok(n) => Ok(
            Redirect::to(&format!("/investigations/{}", investigation_reference(n)))
                .into_response(),
        ),
        Err(ActionError::Invalid(errors)) => {
            let view = crate::actions::incidents::show_incident(&state.ctx, &user.actor, reference)
                .await?;
            let mut p =
                super::incident_page::page(&state, &user, view, false, errors, String::new());
            p.opening_draft = draft;
            p.with_action_form(&state, Default::default(), FieldErrors::new())
                .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A meeting, ready to show.
pub struct MeetingLine {
    /// Date.
    pub held_on: String,
    /// "Name (role)" list.
    pub attendees: Vec<String>,
    /// Discussion.
    pub discussion: String,
    /// Decisions.
    pub decisions: String,
    /// "Recorded 27 Nov 2026, 10:00 by …".
    pub recorded: String,
}

/// A timeline entry, ready to show.
pub struct EventLine {
    /// Date and time (or "time not known").
    pub when: String,
    /// What happened.
    pub what: String,
    /// Where it is known from.
    pub source: String,
}

/// A factor, ready to show.
pub struct FactorLine {
    /// The factor.
    pub label: String,
    /// Its framework.
    pub framework: &'static str,
    /// How it contributed.
    pub note: String,
    /// Evidence.
    pub evidence: String,
}

/// A factor group for the select list.
pub struct FactorGroup {
    /// Framework name.
    pub label: &'static str,
    /// Its factors.
    pub options: Vec<Choice>,
}

/// Everything shown about an investigation, on its page and in its report.
pub struct Shown {
    /// `INV-000012`.
    pub reference: String,
    /// The incident's reference.
    pub incident: String,
    /// "Fall at Alder House, 23 Nov 2026, 07:00".
    pub incident_summary: String,
    /// Harm and risk as graded, if graded.
    pub grading: String,
    /// Service.
    pub service: String,
    /// Lead.
    pub lead: String,
    /// Terms of reference.
    pub terms_of_reference: String,
    /// Status.
    pub status: &'static str,
    /// Opened by and when.
    pub opened: String,
    /// Due (or completed), in words.
    pub due: String,
    /// Completed by and when.
    pub completed: Option<String>,
    /// Meetings.
    pub meetings: Vec<MeetingLine>,
    /// Everyone at any meeting, once: "Name (role)".
    pub team: Vec<String>,
    /// Timeline.
    pub timeline: Vec<EventLine>,
    /// Factors.
    pub factors: Vec<FactorLine>,
    /// Findings.
    pub findings: String,
    /// The family's questions.
    pub family_questions: String,
    /// Their account.
    pub family_account: String,
    /// What they were told (from the incident's openness records).
    pub told: Vec<String>,
    /// Actions.
    pub actions: Vec<ActionLine>,
    /// What is missing before completion.
    pub gaps: Vec<String>,
    /// Version (for saving and completing).
    pub version: i64,
}

/// Prepares what is shown, from the view.
pub fn shown(v: &InvestigationView, now: jiff::Timestamp) -> Shown {
    let r = &v.record;
    let i = &v.incident;
    let grading = match &i.grading {
        Some(g) => format!(
            "{}; {}. Risk: {} ({}). Learning response: {}.",
            g.physical_harm.label(),
            g.psychological_harm.label(),
            g.risk_score,
            g.risk_band.label(),
            g.learning_response.label()
        ),
        None => "Not graded".to_owned(),
    };
    let (kind, category) = i
        .grading
        .as_ref()
        .map_or((i.kind, i.category), |g| (g.kind, g.category));
    let mut team: Vec<String> = Vec::new();
    for m in &v.meetings {
        for (name, role) in &m.item.attendees {
            let who = format!("{name} ({role})");
            if !team.contains(&who) {
                team.push(who);
            }
        }
    }
    Shown {
        reference: investigation_reference(r.number),
        incident: r.incident_reference.to_string(),
        incident_summary: format!(
            "{}: {} at {}, {}",
            kind.label(),
            category.label(),
            r.service_name,
            display::date_time(i.occurred_at)
        ),
        grading,
        service: r.service_name.clone(),
        lead: r.lead.1.clone(),
        terms_of_reference: r.terms_of_reference.clone(),
        status: r.status.label(),
        opened: format!("{}, {}", display::date_time(r.opened.1), r.opened.0),
        due: match &r.completed {
            Some(_) => format!("Was due {}", display::date(r.due_at)),
            None => format!(
                "{} ({})",
                TimeLeft::at(now, r.due_at).describe(),
                display::date(r.due_at)
            ),
        },
        completed: r
            .completed
            .as_ref()
            .map(|(by, at)| format!("{}, {by}", display::date_time(*at))),
        meetings: v
            .meetings
            .iter()
            .map(|m| MeetingLine {
                held_on: display::civil_date(m.item.held_on),
                attendees: m
                    .item
                    .attendees
                    .iter()
                    .map(|(n, r)| format!("{n} ({r})"))
                    .collect(),
                discussion: m.item.discussion.clone(),
                decisions: m.item.decisions.clone(),
                recorded: format!("{}, {}", display::date_time(m.at), m.by),
            })
            .collect(),
        team,
        timeline: v
            .timeline
            .iter()
            .map(|e| EventLine {
                when: match e.item.at {
                    Some(t) => format!(
                        "{}, {}",
                        display::civil_date(e.item.on),
                        t.strftime("%H:%M")
                    ),
                    None => format!("{} (time not known)", display::civil_date(e.item.on)),
                },
                what: e.item.what.clone(),
                source: e.item.source.clone(),
            })
            .collect(),
        factors: v
            .factors
            .iter()
            .map(|(f, label, framework)| FactorLine {
                label: label.clone(),
                framework: framework.map_or("", Framework::label),
                note: f.item.note.clone(),
                evidence: f.item.evidence.clone(),
            })
            .collect(),
        findings: r.findings.findings.clone(),
        family_questions: r.findings.family_questions.clone(),
        family_account: r.findings.family_account.clone(),
        told: v
            .openness
            .iter()
            .map(|o| match &o.record {
                Openness::Told {
                    who,
                    at,
                    how,
                    what,
                    apology,
                    ..
                } => format!(
                    "{}: {who}, {}. {what}{}",
                    display::date_time(*at),
                    how.label().to_lowercase(),
                    if *apology { " We said sorry." } else { "" }
                ),
                Openness::NotTold { reason } => format!(
                    "{}: not told yet. {reason}",
                    display::date_time(o.recorded_at)
                ),
            })
            .collect(),
        actions: action_lines(&v.actions, now.to_zoned(london()).date()),
        gaps: v.gaps.clone(),
        version: r.version,
    }
}

#[derive(Template)]
#[template(path = "investigation.html")]
struct InvestigationPage {
    layout: Layout,
    s: Shown,
    can_edit: bool,
    can_complete: bool,
    /// Which form the errors belong to.
    form: &'static str,
    errors: FieldErrors,
    conflict: Option<String>,
    meeting: MeetingDraft,
    attendee_lines: Vec<(String, String)>,
    event: EventDraft,
    factor: FactorDraft,
    factor_groups: Vec<FactorGroup>,
    findings: FindingsDraft,
    action_form: Option<ActionForm>,
}

impl InvestigationPage {
    /// Where an error's summary link goes.
    fn anchor(&self, field: &str) -> String {
        match field {
            "attendees" => "attendee_name-1".to_owned(),
            // The section is #findings; its text box is #findings_text.
            "findings" => "findings_text".to_owned(),
            f => f.to_owned(),
        }
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
) -> Result<InvestigationPage, WebError> {
    let v = show_investigation(&state.ctx, &user.actor, reference).await?;
    let s = shown(&v, state.ctx.clock.now());
    let mut factor_groups: Vec<FactorGroup> = Vec::new();
    for f in &v.available_factors {
        let label = f.framework.label();
        let choice = Choice {
            value: f.code.clone(),
            label: f.label.clone(),
            selected: false,
        };
        match factor_groups.iter_mut().find(|g| g.label == label) {
            Some(g) => g.options.push(choice),
            None => factor_groups.push(FactorGroup {
                label,
                options: vec![choice],
            }),
        }
    }
    let action_form = if v.can_edit {
        Some(
            action_form(
                state,
                &v.service,
                format!("/investigations/{}/actions", s.reference),
                ActionDraft::default(),
                FieldErrors::new(),
                true,
            )
            .await?,
        )
    } else {
        None
    };
    Ok(InvestigationPage {
        layout: Layout::new(format!("{} investigation", s.reference), user, state.demo),
        findings: FindingsDraft {
            findings: s.findings.clone(),
            family_questions: s.family_questions.clone(),
            family_account: s.family_account.clone(),
        },
        s,
        can_edit: v.can_edit,
        can_complete: v.can_complete,
        form: "",
        errors: FieldErrors::new(),
        conflict: None,
        meeting: MeetingDraft::default(),
        attendee_lines: vec![(String::new(), String::new()); ATTENDEE_LINES],
        event: EventDraft::default(),
        factor: FactorDraft::default(),
        factor_groups,
        action_form,
    })
}

/// GET /investigations/{reference}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let p = page(&state, &user, &reference).await?;
    Ok(render(&p)?.into_response())
}

/// What a form post did: where to go, or the page again with its errors.
async fn after(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
    anchor: &str,
    result: Result<(), ActionError>,
    keep: impl FnOnce(&mut InvestigationPage),
) -> Result<Response, WebError> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/investigations/{reference}#{anchor}")).into_response())
        }
        Err(ActionError::Invalid(errors)) => {
            let mut p = page(state, user, reference).await?;
            p.errors = errors;
            keep(&mut p);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(ActionError::Conflict(message)) => {
            let mut p = page(state, user, reference).await?;
            p.conflict = Some(message);
            keep(&mut p);
            Ok((StatusCode::CONFLICT, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /investigations/{reference}/meetings
pub async fn create_meeting(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let names = form.all("attendee_name");
    let roles = form.all("attendee_role");
    let lines: Vec<(String, String)> = (0..names.len().max(roles.len()))
        .map(|i| {
            (
                names.get(i).cloned().unwrap_or_default(),
                roles.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let draft = MeetingDraft {
        held_on: form.get("held_on"),
        attendees: lines.clone(),
        discussion: form.get("discussion"),
        decisions: form.get("decisions"),
    };
    let result = add_meeting(&state.ctx, &user.actor, &reference, &draft).await;
    after(&state, &user, &reference, "meetings", result, |p| {
        p.form = "meeting";
        let mut lines = lines;
        lines.resize(ATTENDEE_LINES.max(lines.len()), Default::default());
        p.attendee_lines = lines;
        p.meeting = draft;
    })
    .await
}

/// POST /investigations/{reference}/timeline
pub async fn create_event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = EventDraft {
        date: form.get("event_date"),
        time: form.get("event_time"),
        what: form.get("what"),
        source: form.get("source"),
    };
    let result = add_event(&state.ctx, &user.actor, &reference, &draft).await;
    after(&state, &user, &reference, "timeline", result, |p| {
        p.form = "event";
        p.event = draft;
    })
    .await
}

/// POST /investigations/{reference}/factors
pub async fn create_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = FactorDraft {
        factor: form.get("factor"),
        note: form.get("factor_note"),
        evidence: form.get("evidence"),
    };
    let result = add_factor(&state.ctx, &user.actor, &reference, &draft).await;
    after(&state, &user, &reference, "factors", result, |p| {
        p.form = "factor";
        for g in &mut p.factor_groups {
            for o in &mut g.options {
                o.selected = o.value == draft.factor;
            }
        }
        p.factor = draft;
    })
    .await
}

/// POST /investigations/{reference}/findings
pub async fn update_findings(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let draft = FindingsDraft {
        findings: form.get("findings"),
        family_questions: form.get("family_questions"),
        family_account: form.get("family_account"),
    };
    let version = form.get("version").parse().unwrap_or(0);
    let result = save_findings(&state.ctx, &user.actor, &reference, &draft, version).await;
    after(&state, &user, &reference, "findings", result, |p| {
        p.form = "findings";
        p.findings = draft;
    })
    .await
}

/// POST /investigations/{reference}/complete
pub async fn complete_investigation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let version = form.get("version").parse().unwrap_or(0);
    let result = complete(&state.ctx, &user.actor, &reference, version).await;
    after(&state, &user, &reference, "completion", result, |p| {
        p.form = "complete";
    })
    .await
}

/// POST /investigations/{reference}/actions
pub async fn create_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let number = candour_domain::investigation::parse_investigation_reference(&reference)
        .ok_or(WebError::NotFound)?;
    let draft = action_draft(&form);
    match add_action(&state.ctx, &user.actor, From::Investigation(number), &draft).await {
        Ok(_) => Ok(Redirect::to(&format!("/investigations/{reference}#actions")).into_response()),
        Err(ActionError::Invalid(errors)) => {
            let mut p = page(&state, &user, &reference).await?;
            let v = show_investigation(&state.ctx, &user.actor, &reference).await?;
            p.action_form = Some(
                action_form(
                    &state,
                    &v.service,
                    format!("/investigations/{reference}/actions"),
                    draft,
                    errors,
                    true,
                )
                .await?,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "investigation_report.html")]
struct ReportPage {
    layout: Layout,
    s: Shown,
}

/// GET /investigations/{reference}/report: the report, printable.
pub async fn show_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let v = show_investigation(&state.ctx, &user.actor, &reference).await?;
    let s = shown(&v, state.ctx.clock.now());
    let page = ReportPage {
        layout: Layout::new(
            format!("{} investigation report", s.reference),
            &user,
            state.demo,
        ),
        s,
    };
    Ok(render(&page)?.into_response())
}

/// The report as data for the PDF.
fn pdf_data(s: &Shown, printed_on: String) -> candour_pdf::InvestigationReport {
    use candour_pdf::Row;
    candour_pdf::InvestigationReport {
        reference: s.reference.clone(),
        incident: s.incident.clone(),
        incident_summary: s.incident_summary.clone(),
        grading: s.grading.clone(),
        service: s.service.clone(),
        lead: s.lead.clone(),
        terms_of_reference: s.terms_of_reference.clone(),
        status: s.status.to_owned(),
        opened: s.opened.clone(),
        completed: s.completed.clone().unwrap_or_default(),
        team: s.team.clone(),
        meetings: s
            .meetings
            .iter()
            .map(|m| candour_pdf::Meeting {
                held_on: m.held_on.clone(),
                attendees: m.attendees.join("; "),
                discussion: m.discussion.clone(),
                decisions: m.decisions.clone(),
            })
            .collect(),
        told: s.told.clone(),
        family_questions: s.family_questions.clone(),
        family_account: s.family_account.clone(),
        timeline: s
            .timeline
            .iter()
            .map(|e| Row(vec![e.when.clone(), e.what.clone(), e.source.clone()]))
            .collect(),
        factors: s
            .factors
            .iter()
            .map(|f| {
                Row(vec![
                    format!("{} ({})", f.label, f.framework),
                    f.note.clone(),
                    f.evidence.clone(),
                ])
            })
            .collect(),
        findings: s.findings.clone(),
        actions: s
            .actions
            .iter()
            .map(|a| {
                Row(vec![
                    format!("{} {}", a.reference, a.title),
                    a.owner.clone(),
                    a.due.clone(),
                    a.status.to_owned(),
                    if a.effectiveness.is_empty() {
                        "Not checked yet".to_owned()
                    } else {
                        a.effectiveness.clone()
                    },
                ])
            })
            .collect(),
        printed_on,
    }
}

/// GET /investigations/{reference}/report.pdf: the report as a tagged PDF.
pub async fn report_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
) -> Result<Response, WebError> {
    let v = show_investigation(&state.ctx, &user.actor, &reference).await?;
    let now = state.ctx.clock.now();
    let s = shown(&v, now);
    let today = now.to_zoned(london()).date();
    let data = pdf_data(&s, display::civil_date(today));
    let day = crate::typeset::day_of(today);
    // Typesetting takes a little CPU: off the async threads.
    let job = candour_pdf::Job {
        today: day,
        document: candour_pdf::Kind::Investigation(Box::new(data)),
    };
    let typesetter = state.ctx.typesetter.clone();
    let pdf = tokio::task::spawn_blocking(move || typesetter.typeset(&job))
        .await
        .map_err(|e| WebError::Internal(anyhow::anyhow!("the PDF task failed: {e}")))?
        .map_err(|e| WebError::Internal(anyhow::anyhow!("{e}")))?;
    let name = format!("{}-investigation-report.pdf", s.reference);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}
