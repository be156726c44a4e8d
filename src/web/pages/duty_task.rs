//! One statutory duty of an incident: why it applies and by when, its
//! checklist, the draft Candour prepares (CQC notification content, RIDDOR
//! fields or the duty of candour letter) and the steps recorded as evidence.

use super::incidents::parse_reference;
use crate::actions::ActionError;
use crate::actions::duty_tasks::{DutyTask, duty_task, record_step, save_cqc_answers};
use crate::web::AppState;
use crate::web::auth::{CsrfForm, CurrentUser};
use crate::web::error::{WebError, render};
use crate::web::layout::Layout;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use candour_domain::display;
use candour_domain::duties::{Duty, Verdict};
use candour_domain::duty_tasks::{
    CqcAnswers, Method, StepDraft, StepKind, draft_text, recipient, steps_for,
};
use candour_domain::incident::london;
use candour_domain::validation::FieldErrors;

/// One field of a step's form.
pub struct FieldSpec {
    /// Its name.
    pub name: &'static str,
    /// Its label.
    pub label: &'static str,
    /// `text`, `textarea`, `when`, `method` or `yes_no`.
    pub input: &'static str,
    /// A hint, if any.
    pub hint: &'static str,
    /// The value shown.
    pub value: String,
    /// For `when`: the time shown.
    pub time: String,
    /// The problem with it, if refused.
    pub error: Option<String>,
}

/// A form to record one kind of step.
pub struct StepForm {
    /// The step's code.
    pub kind: &'static str,
    /// The form's heading.
    pub heading: String,
    /// Its fields.
    pub fields: Vec<FieldSpec>,
    /// The button's words.
    pub button: &'static str,
    /// Whether it is open (refused, or the next thing to do).
    pub open: bool,
    /// A problem with the form as a whole (the step is out of order).
    pub error: Option<String>,
}

/// A step recorded, for reading back.
pub struct StepLine {
    /// What it was.
    pub label: &'static str,
    /// When it happened.
    pub at: String,
    /// Who recorded it and when.
    pub recorded: String,
    /// What was recorded.
    pub lines: Vec<(&'static str, String)>,
}

/// A checklist item, ready to show.
pub struct ChecklistLine {
    /// What is to be done.
    pub label: &'static str,
    /// When it was done, in words (empty: not yet).
    pub done: String,
    /// Whether the duty is done without it.
    pub optional: bool,
}

/// A CQC question with the manager's answer.
pub struct AnswerLine {
    /// The field.
    pub name: &'static str,
    /// The question.
    pub label: &'static str,
    /// A hint.
    pub hint: &'static str,
    /// The answer shown (the saved one, what was typed, or what the report says).
    pub value: String,
}

#[derive(Template)]
#[template(path = "duty_task.html")]
struct DutyTaskPage {
    layout: Layout,
    reference: String,
    duty: &'static str,
    label: &'static str,
    basis: &'static str,
    reason: String,
    verdict: &'static str,
    verdict_label: &'static str,
    due: String,
    overdue: bool,
    done: String,
    checklist: Vec<ChecklistLine>,
    draft: Vec<(&'static str, Vec<(&'static str, String)>)>,
    draft_text: String,
    answers: Vec<AnswerLine>,
    answers_version: i64,
    answers_saved: String,
    steps: Vec<StepLine>,
    forms: Vec<StepForm>,
    can_record: bool,
    errors: Vec<(String, String)>,
    conflict: Option<String>,
    methods: Vec<(&'static str, &'static str)>,
}

fn field(name: &'static str, label: &'static str, input: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        input,
        hint: "",
        value: String::new(),
        time: String::new(),
        error: None,
    }
}

fn hinted(mut f: FieldSpec, hint: &'static str) -> FieldSpec {
    f.hint = hint;
    f
}

/// The fields of a step's form.
fn fields_for(duty: Duty, kind: StepKind) -> Vec<FieldSpec> {
    let when = field("date", "When", "when");
    let by = hinted(field("by", "By whom", "text"), "Leave blank if it was you.");
    match kind {
        StepKind::Submitted => vec![
            when,
            by,
            field("method", "How", "method"),
            hinted(
                field("reference", "Their reference", "text"),
                "The ENQ number, notification ID or case ID you were given: follow-up information quotes it.",
            ),
        ],
        StepKind::FollowUp => vec![
            when,
            by,
            field("text", "What information you sent", "textarea"),
        ],
        StepKind::InPerson => vec![
            when,
            hinted(
                field("by", "Who told them", "text"),
                "The provider's representatives. Leave blank if it was you.",
            ),
            hinted(
                field("whom", "Who was told", "text"),
                "The person, or who acts for them (for example, their daughter with lasting power of attorney).",
            ),
            hinted(
                field("text", "The facts you gave them", "textarea"),
                "All the facts known on that day, true to the best of your knowledge.",
            ),
            hinted(
                field("apology", "The apology, as you said it", "textarea"),
                "An expression of sorrow or regret; it is not an admission of liability.",
            ),
            field(
                "enquiries",
                "The further enquiries you told them you will make",
                "textarea",
            ),
            hinted(
                field("support", "Support offered", "textarea"),
                "For example an interpreter, an advocate, or a named contact.",
            ),
        ],
        StepKind::FailedContact => vec![
            when,
            by,
            field("method", "How you tried", "method"),
            hinted(
                field("text", "What happened", "textarea"),
                "No answer, they declined to speak, or why contact was not possible.",
            ),
        ],
        StepKind::Written => vec![
            when,
            by,
            field("whom", "Sent to", "text"),
            hinted(
                field("text", "The letter, as sent", "textarea"),
                "Candour wrote this from what was said in person: edit it, then keep it as sent.",
            ),
        ],
        StepKind::ResultsShared => vec![
            when,
            by,
            field("text", "The results you shared", "textarea"),
        ],
        StepKind::Correspondence => vec![
            when,
            by,
            hinted(
                field("text", "The correspondence", "textarea"),
                "What it said, and where the copy is kept (attach it to the incident).",
            ),
        ],
        StepKind::Referred => vec![
            when,
            by,
            field("authority", "Local authority", "text"),
            field("method", "How", "method"),
            field("reference", "Their reference, if given", "text"),
            field("police_reference", "Police reference, if any", "text"),
        ],
        StepKind::EnquiryUpdate => vec![
            hinted(when, "When you learned this."),
            by,
            field("s42_opened", "Did a section 42 enquiry open?", "yes_no"),
            field(
                "asked_to_cause",
                "Were you asked to carry out an enquiry for the local authority?",
                "yes_no",
            ),
            field("police_reference", "Police reference, if any", "text"),
            field("text", "Outcome", "textarea"),
        ],
        StepKind::NotReported => vec![
            when,
            hinted(
                field("by", "Who decided", "text"),
                "Leave blank if it was you.",
            ),
            hinted(
                field("text", "Why it is not reported", "textarea"),
                if matches!(duty, Duty::IcoBreachReport) {
                    "For example: the data was encrypted, or recovered unread. Every breach is documented, reported or not."
                } else {
                    ""
                },
            ),
        ],
    }
}

fn heading(duty: Duty, kind: StepKind) -> String {
    let to = recipient(duty);
    match kind {
        StepKind::Submitted => format!("Record the submission to {to}"),
        StepKind::FollowUp => format!("Record follow-up information sent to {to}"),
        StepKind::InPerson => "Record telling them in person".into(),
        StepKind::FailedContact => "Record an attempt to reach them".into(),
        StepKind::Written => "Keep the written notification as sent".into(),
        StepKind::ResultsShared => "Record sharing the results of enquiries".into(),
        StepKind::Correspondence => "Keep correspondence".into(),
        StepKind::Referred => "Record the referral".into(),
        StepKind::EnquiryUpdate => "Record what the local authority did".into(),
        StepKind::NotReported => "Record a decision not to report".into(),
    }
}

fn page(
    user: &CurrentUser,
    demo: bool,
    t: &DutyTask,
    typed: Option<(&str, &CsrfForm)>,
    errors: &FieldErrors,
    now: jiff::Timestamp,
) -> DutyTaskPage {
    let duty = t.decision.duty;
    let next_kind = t
        .progress
        .items
        .iter()
        .position(|i| i.done_at.is_none())
        .and_then(|_| steps_for(duty).first().copied());
    let today = now.to_zoned(london());
    let forms = steps_for(duty)
        .iter()
        .map(|k| {
            let refused = typed.is_some_and(|(kind, _)| kind == k.code());
            let mut fields = fields_for(duty, *k);
            for f in &mut fields {
                f.value = match typed {
                    Some((_, form)) if refused => form.get(f.name),
                    _ => match f.name {
                        "date" => today.date().to_string(),
                        "text" if *k == StepKind::Written => t.letter.clone().unwrap_or_default(),
                        _ => String::new(),
                    },
                };
                if refused {
                    f.error = errors.for_field(f.name).map(str::to_owned);
                    if let Some((_, form)) = typed {
                        f.time = form.get("time");
                    }
                }
            }
            StepForm {
                kind: k.code(),
                heading: heading(duty, *k),
                fields,
                button: "Record this",
                open: refused || (typed.is_none() && next_kind == Some(*k)),
                error: if refused {
                    errors.for_field("kind").map(str::to_owned)
                } else {
                    None
                },
            }
        })
        .collect();
    let errors_list = match typed {
        Some((kind, _)) => errors
            .0
            .iter()
            .map(|e| {
                let anchor = if e.field == "kind" {
                    format!("step-{kind}")
                } else {
                    format!("{kind}-{}", e.field)
                };
                (anchor, e.message.clone())
            })
            .collect(),
        None => errors
            .0
            .iter()
            .map(|e| (format!("answer-{}", e.field), e.message.clone()))
            .collect(),
    };
    let mut p = DutyTaskPage {
        layout: Layout::new(format!("{} for {}", duty.label(), t.reference), user, demo),
        reference: t.reference.to_string(),
        duty: duty.code(),
        label: duty.label(),
        basis: t.decision.basis,
        reason: t.decision.reason.clone(),
        verdict: t.verdict.code(),
        verdict_label: t.verdict.label(),
        due: t
            .decision
            .due_at
            .filter(|_| t.verdict == Verdict::Required)
            .map(display::date_time)
            .unwrap_or_default(),
        overdue: t.progress.done_at.is_none()
            && t.verdict == Verdict::Required
            && t.decision.due_at.is_some_and(|d| d < now),
        done: t
            .progress
            .done_at
            .map(display::date_time)
            .unwrap_or_default(),
        checklist: t
            .progress
            .items
            .iter()
            .map(|i| ChecklistLine {
                label: i.label,
                done: i.done_at.map(display::date_time).unwrap_or_default(),
                optional: i.optional,
            })
            .collect(),
        draft: t
            .draft
            .iter()
            .map(|s| (s.heading, s.lines.clone()))
            .collect(),
        draft_text: draft_text(&t.draft),
        answers: Vec::new(),
        answers_version: t.answers.version,
        answers_saved: t
            .answers
            .saved
            .as_ref()
            .map(|(by, at)| format!("Saved by {by} at {}", display::date_time(*at)))
            .unwrap_or_default(),
        steps: t
            .steps
            .iter()
            .map(|s| StepLine {
                label: s.step.kind().label(),
                at: display::date_time(s.step.at()),
                recorded: format!(
                    "recorded by {} at {}",
                    s.recorded_by,
                    display::date_time(s.recorded_at)
                ),
                lines: s.step.lines(),
            })
            .collect(),
        forms,
        can_record: t.can_record && t.verdict == Verdict::Required,
        errors: errors_list,
        conflict: None,
        methods: methods(),
    };
    p.answers = t
        .questions
        .iter()
        .map(|(name, label, hint, value)| AnswerLine {
            name,
            label,
            hint,
            value: value.clone(),
        })
        .collect();
    p
}

/// Parses a duty from the path.
fn parse_duty(code: &str) -> Result<Duty, WebError> {
    Duty::parse(code).ok_or(WebError::NotFound)
}

/// GET /incidents/{reference}/duties/{duty}
pub async fn show_duty(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, duty)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let duty = parse_duty(&duty)?;
    let t = duty_task(&state.ctx, &user.actor, reference, duty).await?;
    Ok(render(&page(
        &user,
        state.demo,
        &t,
        None,
        &FieldErrors::new(),
        state.ctx.clock.now(),
    ))?
    .into_response())
}

/// The step as typed in a form.
fn step_from(form: &CsrfForm) -> StepDraft {
    StepDraft {
        kind: form.get("kind"),
        date: form.get("date"),
        time: form.get("time"),
        by: form.get("by"),
        whom: form.get("whom"),
        method: form.get("method"),
        reference: form.get("reference"),
        authority: form.get("authority"),
        police_reference: form.get("police_reference"),
        text: form.get("text"),
        apology: form.get("apology"),
        enquiries: form.get("enquiries"),
        support: form.get("support"),
        s42_opened: form.get("s42_opened"),
        asked_to_cause: form.get("asked_to_cause"),
    }
}

/// POST /incidents/{reference}/duties/{duty}/steps
pub async fn add_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, duty)): Path<(String, String)>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let duty = parse_duty(&duty)?;
    let draft = step_from(&form);
    match record_step(&state.ctx, &user.actor, reference, duty, &draft).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/incidents/{reference}/duties/{}", duty.code())).into_response(),
        ),
        Err(ActionError::Invalid(errors)) => {
            let t = duty_task(&state.ctx, &user.actor, reference, duty).await?;
            let kind = draft.kind.clone();
            let p = page(
                &user,
                state.demo,
                &t,
                Some((&kind, &form)),
                &errors,
                state.ctx.clock.now(),
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /incidents/{reference}/duties/{duty}/draft: the answers to CQC's questions.
pub async fn save_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((reference, duty)): Path<(String, String)>,
    form: CsrfForm,
) -> Result<Response, WebError> {
    let reference = parse_reference(&reference)?;
    let duty = parse_duty(&duty)?;
    let version: i64 = form.get("version").parse().unwrap_or(-1);
    let result = match CqcAnswers::from_typed(|f| form.get(f)) {
        Ok(a) => save_cqc_answers(&state.ctx, &user.actor, reference, duty, &a, version).await,
        Err(e) => Err(ActionError::Invalid(e)),
    };
    let again = |errors: FieldErrors, conflict: Option<String>| async move {
        let t = duty_task(&state.ctx, &user.actor, reference, duty).await?;
        let mut p = page(&user, state.demo, &t, None, &errors, state.ctx.clock.now());
        if conflict.is_none() {
            for a in &mut p.answers {
                a.value = form.get(a.name);
            }
        }
        p.conflict = conflict;
        render(&p)
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/incidents/{reference}/duties/{}#draft",
            duty.code()
        ))
        .into_response()),
        Err(ActionError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, again(errors, None).await?).into_response())
        }
        Err(ActionError::Conflict(m)) => Ok((
            StatusCode::CONFLICT,
            again(FieldErrors::new(), Some(m)).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The methods, for the forms.
fn methods() -> Vec<(&'static str, &'static str)> {
    Method::ALL.iter().map(|m| (m.code(), m.label())).collect()
}
