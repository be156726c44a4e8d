//! One incident's page: what was reported, the people involved, and the
//! append-only additions (addenda, correction requests and corrections)
//! with their forms.

use super::incidents::parse_reference;
use crate::actions::incidents::{IncidentView, show_incident};
use crate::web::AppState;
use crate::web::auth::CurrentUser;
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use candour_domain::details::Details;
use candour_domain::display;
use candour_domain::feedback::{describe_minutes, minutes_to_feedback};
use candour_domain::incident::{AddendumKind, IncidentReference, IncidentStatus};
use candour_domain::validation::FieldErrors;
use serde::Deserialize;

/// A person shown on the incident page.
pub struct PersonLine {
    /// Internal code, or `staff` for a member of staff.
    pub code: String,
    /// Name.
    pub name: String,
    /// Their part.
    pub role: &'static str,
}

/// An addition shown on the incident page.
pub struct AdditionLine {
    /// Id (for answering a request).
    pub id: String,
    /// What it is.
    pub kind: &'static str,
    /// Whether it is a correction request not yet answered.
    pub open_request: bool,
    /// Who wrote it.
    pub author: String,
    /// When.
    pub when: String,
    /// The text.
    pub body: String,
}

#[derive(Template)]
#[template(path = "incident_show.html")]
pub(crate) struct IncidentPage {
    layout: Layout,
    just_reported: bool,
    reference: String,
    kind: &'static str,
    category: &'static str,
    status: &'static str,
    service: String,
    area: String,
    occurred: String,
    reported: String,
    reporter: String,
    description: String,
    immediate_actions: String,
    others_involved: String,
    people: Vec<PersonLine>,
    can_view_history: bool,
    additions: Vec<AdditionLine>,
    is_reporter: bool,
    can_request: bool,
    errors: FieldErrors,
    text: String,
    /// The category's answers, as (question, answer).
    details: Vec<(&'static str, String)>,
    /// NICE head-injury referral prompts, for a fall that needs them.
    prompts: Vec<&'static str>,
    /// Post-fall checks, as (when, what).
    schedule: Vec<(String, &'static str)>,
    /// Who had been told, as labels.
    told: Vec<&'static str>,
    /// When it was written, if it was queued before sending.
    written: Option<String>,
    /// Files added, as (download path, name, type and size, who and when).
    attachments: Vec<(String, String, String, String)>,
    /// Messages with an anonymous reporter, when the report has a case code.
    case_messages: Option<Vec<crate::web::pages::anonymous::MessageLine>>,
    /// Feedback to the reporter, oldest first.
    feedback: Vec<crate::web::pages::anonymous::MessageLine>,
    /// The body map with the regions marked (SVG), when any were.
    body_figures: String,
    /// How long the first feedback took, as people say it.
    time_to_feedback: Option<String>,
    /// Whether the reader may give feedback (reviews the service's incidents).
    can_give_feedback: bool,
    /// Whether the report was made anonymously.
    anonymous: bool,
    /// Typed feedback, kept when it comes back with a problem.
    feedback_text: String,
    /// Whether the reader may triage it.
    can_triage: bool,
    /// The current grading, as (question, answer) lines; empty until triaged.
    grading: Vec<(&'static str, String)>,
    /// What is due next and how it stands, such as "Triage: due in 3 hours".
    due: String,
    /// The moves the reader may make now, as (code, button label, whether a note is required).
    moves: Vec<(&'static str, &'static str, bool)>,
    /// Whether closing is among them (the sign-off form).
    can_close: bool,
    /// Whether the reporter has had feedback.
    has_feedback: bool,
    /// The incident's version, for the move forms.
    version: i64,
    /// Why a move was refused, when it was.
    pub(crate) refused: Vec<String>,
    /// What was typed into the move forms: (note, recommendations, feedback).
    pub(crate) typed: (String, String, String),
    /// Status moves: (when, who, from → to, note).
    timeline: Vec<(String, String, String, String)>,
    /// Sign-offs: (when, who, note, recommendations).
    sign_offs: Vec<(String, String, String, String)>,
    /// Timescales missed: (id, what was missed and when, reason given, who was told).
    breaches: Vec<(String, String, Option<String>, String)>,
    /// Actions from this incident.
    actions: Vec<super::improvement::ActionLine>,
    /// The form to add one, for those who may.
    action_form: Option<super::improvement::ActionForm>,
    /// The service, for the action form's owners.
    service_id: candour_domain::ids::ServiceId,
    /// The reader's organisation.
    org: candour_domain::ids::OrganisationId,
    /// For reviewers: the statutory duties required in force, as (code, label, how it stands).
    duties: Vec<(&'static str, &'static str, String)>,
    /// For reviewers: how many duties still need information.
    duties_unknown: usize,
    /// Openness records: (told or not, who and how, what, apology and questions, recorded by and when).
    openness: Vec<(bool, String, String, String, String)>,
    /// Whether to offer the openness form (a person using the service was affected).
    offer_openness: bool,
    /// What was typed into the openness form.
    pub(crate) openness_draft: candour_domain::openness::OpennessDraft,
    /// The ways someone can be told.
    told_how: &'static [candour_domain::openness::ToldHow],
    /// Its investigation: (reference, status, lead, due or completed).
    investigation: Option<(String, &'static str, String, String)>,
    /// Whether to offer opening an investigation, and open the form at once
    /// (the triage chose a serious incident investigation).
    offer_investigation: Option<bool>,
    /// Who may lead one.
    investigators: Vec<super::incidents::Choice>,
    /// Staff who work at the service, to name one with a part (for those who triage).
    staff_choices: Vec<super::incidents::Choice>,
    /// What was typed into the opening form.
    pub(crate) opening_draft: candour_domain::investigation::OpeningDraft,
}

impl IncidentPage {
    /// Adds the statutory duties in force, for a reviewer (scope was checked
    /// when the incident was shown).
    async fn with_duties(
        &mut self,
        state: &AppState,
        service: &crate::store::organisations::Service,
    ) -> Result<(), WebError> {
        use candour_domain::duties::Verdict;
        let Some(r) = IncidentReference::parse(&self.reference) else {
            return Ok(());
        };
        let Some(incident) = state.ctx.store.incident_by_reference(self.org, r).await? else {
            return Ok(());
        };
        let v = crate::actions::duties::duties_of(&state.ctx, &incident, service).await?;
        let now = state.ctx.clock.now();
        self.duties_unknown = v
            .decisions
            .iter()
            .filter(|d| v.verdict(d.duty) == Verdict::NeedsInformation)
            .count();
        self.duties = v
            .decisions
            .iter()
            .filter(|d| v.verdict(d.duty) == Verdict::Required)
            .map(|d| {
                let state = match (v.progress(d.duty).done_at, d.due_at) {
                    (Some(done), _) => format!("done {}", display::date_time(done)),
                    (None, Some(due)) if due < now => {
                        format!("overdue, was due {}", display::date_time(due))
                    }
                    (None, Some(due)) => format!("due {}", display::date_time(due)),
                    (None, None) => "to do".to_owned(),
                };
                (d.duty.code(), d.duty.label(), state)
            })
            .collect();
        Ok(())
    }

    /// Adds the "add an action" form (with what was typed and its problems).
    pub(crate) async fn with_action_form(
        &mut self,
        state: &AppState,
        draft: candour_domain::improvement::ActionDraft,
        errors: FieldErrors,
    ) -> Result<(), WebError> {
        // The reporter may name a member of staff in their own report too.
        if !self.can_triage && !self.is_reporter {
            return Ok(());
        }
        let service = state.ctx.store.service(self.org, self.service_id).await?;
        self.staff_choices = crate::actions::incidents::staff_of_service(&state.ctx, &service)
            .await?
            .into_iter()
            .map(|(id, name)| super::incidents::Choice {
                selected: false,
                value: id.to_string(),
                label: name,
            })
            .collect();
        if !self.can_triage {
            return Ok(());
        }
        self.with_duties(state, &service).await?;
        if self.offer_investigation.is_some() {
            self.investigators =
                crate::actions::investigations::investigators(&state.ctx, &service)
                    .await?
                    .into_iter()
                    .map(|(id, name)| super::incidents::Choice {
                        selected: id.to_string() == self.opening_draft.lead,
                        value: id.to_string(),
                        label: name,
                    })
                    .collect();
        }
        self.action_form = Some(
            super::improvement::action_form(
                state,
                &service,
                format!("/incidents/{}/actions", self.reference),
                draft,
                errors,
                true,
            )
            .await?,
        );
        Ok(())
    }
}

pub(crate) fn page(
    state: &AppState,
    user: &CurrentUser,
    view: IncidentView,
    just_reported: bool,
    errors: FieldErrors,
    text: String,
) -> IncidentPage {
    let (text, feedback_text) = if errors.for_field("feedback").is_some() {
        (String::new(), text)
    } else {
        (text, String::new())
    };
    let i = &view.incident;
    let answered: Vec<uuid::Uuid> = view.addenda.iter().filter_map(|a| a.in_reply_to).collect();
    let details = Details::from_json(&i.details_json);
    IncidentPage {
        layout: Layout::new(i.reference.to_string(), user, state.demo),
        just_reported,
        reference: i.reference.to_string(),
        kind: i.kind.label(),
        category: i.category.label(),
        status: i.status.label(),
        service: i.service_name.clone(),
        area: i.area_name.clone().unwrap_or_default(),
        occurred: display::date_time(i.occurred_at),
        reported: display::date_time(i.reported_at),
        reporter: match (&i.reporter_name, &i.entered_by) {
            _ if view.reporter_withheld => {
                "a member of staff (withheld: this report is about staff)".to_owned()
            }
            (Some(r), Some((_, by))) => format!("{r} (entered by {by})"),
            (Some(r), None) => r.clone(),
            (None, _) => "Anonymous".to_owned(),
        },
        description: i.description.clone(),
        immediate_actions: i.immediate_actions.clone(),
        others_involved: i.others_involved.clone(),
        people: view
            .people
            .iter()
            .map(|p| PersonLine {
                code: p.internal_code.clone(),
                name: p.display_name.clone(),
                role: p.role.label(),
            })
            .chain(view.staff.iter().map(|s| PersonLine {
                code: "staff".to_owned(),
                name: s.display_name.clone(),
                role: s.role.label(),
            }))
            .collect(),
        can_view_history: view.can_view_history,
        additions: view
            .addenda
            .iter()
            .map(|a| AdditionLine {
                id: a.addendum_id.to_string(),
                kind: a.kind.label(),
                open_request: a.kind == AddendumKind::CorrectionRequest
                    && !answered.contains(&a.addendum_id),
                author: a.author_name.clone(),
                when: display::date_time_ms(a.created_at_ms),
                body: a.body.clone(),
            })
            .collect(),
        is_reporter: view.is_reporter,
        can_request: view.is_reviewer && !view.is_reporter,
        errors,
        text,
        prompts: details.head_injury_prompts(),
        schedule: details
            .post_fall_schedule(i.occurred_at)
            .into_iter()
            .map(|(at, what)| (display::date_time(at), what))
            .collect(),
        body_figures: if details.body_sites().is_empty() {
            String::new()
        } else {
            crate::web::bodymap::figures(details.body_sites(), crate::web::bodymap::Use::Picture)
        },
        details: details.summary(),
        written: i.written_at.map(display::date_time),
        told: serde_json::from_str::<Vec<String>>(&i.told_json)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| candour_domain::incident::Told::parse(c))
            .map(|t| t.label())
            .collect(),
        attachments: view
            .attachments
            .iter()
            .map(|a| {
                let kb = (a.size_bytes + 1023) / 1024;
                let when = display::date_time_ms(a.created_at_ms);
                (
                    format!("/incidents/{}/attachments/{}", i.reference, a.attachment_id),
                    a.file_name.clone(),
                    format!("{}, {kb} KB", a.media_type.label()),
                    format!(
                        "{}, {}",
                        when,
                        a.uploaded_by_name.clone().unwrap_or_default()
                    ),
                )
            })
            .collect(),
        feedback: view
            .feedback
            .iter()
            .map(|f| crate::web::pages::anonymous::MessageLine {
                who: f.author_name.clone(),
                when: display::date_time_ms(f.created_at_ms),
                body: f.body.clone(),
            })
            .collect(),
        time_to_feedback: view.feedback.first().map(|f| {
            describe_minutes(minutes_to_feedback(
                i.reported_at.as_millisecond(),
                f.created_at_ms,
            ))
        }),
        can_give_feedback: view.is_reviewer,
        anonymous: i.reported_by.is_none() && !view.reporter_withheld,
        feedback_text,
        can_triage: view.can_triage,
        // The grading and deadlines are for reviewers; a reporter gets feedback.
        grading: i
            .grading
            .as_ref()
            .filter(|_| view.is_reviewer)
            .map(|g| {
                vec![
                    (
                        "Confirmed as",
                        format!("{}: {}", g.kind.label(), g.category.label()),
                    ),
                    ("Physical harm", g.physical_harm.label().to_owned()),
                    (
                        "Psychological harm",
                        g.psychological_harm.label().to_owned(),
                    ),
                    (
                        "Risk",
                        format!("{} ({})", g.risk_score, g.risk_band.label()),
                    ),
                    ("Learning response", g.learning_response.label().to_owned()),
                    (
                        "Handler",
                        g.handler
                            .as_ref()
                            .map_or("Not yet".to_owned(), |(_, n)| n.clone()),
                    ),
                    ("Triaged", display::date_time(g.triaged_at)),
                ]
            })
            .unwrap_or_default(),
        due: if view.is_reviewer {
            due_line(i, state.ctx.clock.now())
        } else {
            String::new()
        },
        moves: next_moves(&view),
        can_close: view.can_sign_off
            && i.status == candour_domain::incident::IncidentStatus::AwaitingSignOff,
        has_feedback: !view.feedback.is_empty(),
        version: i.version,
        refused: Vec::new(),
        typed: Default::default(),
        timeline: view
            .transitions
            .iter()
            .map(|t| {
                (
                    display::date_time(t.at),
                    t.actor_name.clone(),
                    format!("{} → {}", t.from.label(), t.to.label()),
                    t.note.clone(),
                )
            })
            .collect(),
        sign_offs: view
            .sign_offs
            .iter()
            .map(|s| {
                (
                    display::date_time(s.signed_at),
                    s.signed_by_name.clone(),
                    s.note.clone(),
                    s.recommendations.clone(),
                )
            })
            .collect(),
        breaches: view
            .breaches
            .iter()
            .map(|b| {
                (
                    b.breach_id.to_string(),
                    format!(
                        "{} was due {}",
                        b.target.label(),
                        display::date_time(b.due_at)
                    ),
                    b.reason.as_ref().map(|(r, by)| format!("{r} ({by})")),
                    b.told
                        .iter()
                        .map(|(level, name)| format!("{name} ({})", level.label().to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .collect(),
        actions: super::improvement::action_lines(
            &view.actions,
            state
                .ctx
                .clock
                .now()
                .to_zoned(candour_domain::incident::london())
                .date(),
        ),
        action_form: None,
        service_id: i.service_id,
        org: user.actor.organisation_id,
        duties: Vec::new(),
        duties_unknown: 0,
        openness: view
            .openness
            .iter()
            .map(|o| {
                let by = format!("{}, {}", display::date_time(o.recorded_at), o.recorded_by);
                match &o.record {
                    candour_domain::openness::Openness::Told {
                        who,
                        at,
                        how,
                        what,
                        apology,
                        questions,
                    } => (
                        true,
                        format!(
                            "{who}, {} {}",
                            how.label().to_lowercase(),
                            display::date_time(*at)
                        ),
                        what.clone(),
                        format!(
                            "{}{}",
                            if *apology {
                                "An apology was given."
                            } else {
                                "No apology recorded."
                            },
                            if questions.is_empty() {
                                String::new()
                            } else {
                                format!(" Their questions or wishes: {questions}")
                            }
                        ),
                        by,
                    ),
                    candour_domain::openness::Openness::NotTold { reason } => {
                        (false, String::new(), reason.clone(), String::new(), by)
                    }
                }
            })
            .collect(),
        offer_openness: view.can_triage
            && view
                .people
                .iter()
                .any(|p| p.role == candour_domain::incident::InvolvementRole::Affected),
        openness_draft: Default::default(),
        told_how: candour_domain::openness::ToldHow::ALL,
        investigation: view.investigation.as_ref().map(|v| {
            (
                candour_domain::investigation::investigation_reference(v.number),
                v.status.label(),
                v.lead.1.clone(),
                match &v.completed {
                    Some((_, at)) => format!("completed {}", display::date(*at)),
                    None => format!("due {}", display::date(v.due_at)),
                },
            )
        }),
        offer_investigation: (view.can_triage
            && view.investigation.is_none()
            && matches!(
                i.status,
                IncidentStatus::Triaged
                    | IncidentStatus::UnderReview
                    | IncidentStatus::UnderInvestigation
            ))
        .then(|| {
            i.grading.as_ref().is_some_and(|g| {
                g.learning_response
                    == candour_domain::triage::LearningResponse::SeriousInvestigation
            })
        }),
        investigators: Vec::new(),
        staff_choices: Vec::new(),
        opening_draft: Default::default(),
        case_messages: view.case_messages.as_ref().map(|ms| {
            ms.iter()
                .map(|m| crate::web::pages::anonymous::MessageLine {
                    who: if m.from_reporter {
                        "Anonymous reporter".to_owned()
                    } else {
                        m.author_name.clone().unwrap_or_default()
                    },
                    when: display::date_time_ms(m.created_at_ms),
                    body: m.body.clone(),
                })
                .collect()
        }),
    }
}

/// The moves after triage the reader may make now (closing has its own form).
fn next_moves(view: &IncidentView) -> Vec<(&'static str, &'static str, bool)> {
    use candour_domain::workflow::Move;
    let status = view.incident.status;
    Move::ALL
        .into_iter()
        .filter(|m| *m != Move::Triage && *m != Move::Close && m.from().contains(&status))
        .filter(|m| match m {
            Move::SendBack => view.can_sign_off,
            _ => view.can_triage,
        })
        .map(|m| {
            let (label, note_needed) = match m {
                Move::StartReview => ("Start the review", false),
                Move::StartInvestigation => ("Start a serious incident investigation", false),
                Move::RequestSignOff => ("Review done: ask for sign-off", false),
                Move::SendBack => ("Send back for more work", true),
                Move::Reopen => ("Reopen", true),
                Move::Triage | Move::Close => ("", false),
            };
            (m.code(), label, note_needed)
        })
        .collect()
}

/// What is due next on an incident, in words.
fn due_line(i: &crate::store::incidents::Incident, now: jiff::Timestamp) -> String {
    use candour_domain::incident::IncidentStatus;
    use candour_domain::timescales::TimeLeft;
    let (what, at) = match (i.status, &i.grading) {
        (IncidentStatus::Closed, _) => return String::new(),
        (IncidentStatus::Reported, _) => ("Triage", i.triage_due_at),
        (_, Some(g)) => ("Review", Some(g.review_due_at)),
        (_, None) => return String::new(),
    };
    at.map(|at| {
        format!(
            "{what}: {} ({})",
            TimeLeft::at(now, at).describe().to_lowercase(),
            display::date_time(at)
        )
    })
    .unwrap_or_default()
}

/// Query of the incident page.
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    reported: Option<String>,
}

/// GET /incidents/{reference}
pub async fn show_incident_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(reference): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let view = show_incident(&state.ctx, &user.actor, parse_reference(&reference)?).await?;
    let mut p = page(
        &state,
        &user,
        view,
        q.reported.is_some(),
        FieldErrors::new(),
        String::new(),
    );
    p.with_action_form(&state, Default::default(), FieldErrors::new())
        .await?;
    Ok(render(&p)?.into_response())
}
