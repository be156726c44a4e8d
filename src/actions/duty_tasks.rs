//! Doing a required statutory duty: its draft, its checklist, and the steps
//! recorded as evidence (domain `duty_tasks`).

use super::duties::{DutiesView, duties_of};
use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::duty_steps::{DutyDraft, RecordedStep, insert_duty_step, save_duty_draft};
use crate::store::incidents::Incident;
use crate::store::organisations::Service;
use candour_domain::duties::{Decision, Duty, Verdict};
use candour_domain::duty_tasks::{
    CqcAnswers, DraftSection, DraftSource, Progress, Step, StepContext, StepDraft, candour_letter,
    check_step, cqc_draft, is_cqc, progress, riddor_draft,
};
use candour_domain::incident::IncidentReference;
use candour_domain::involvement::InvolvementRole;
use candour_domain::role::Permission;
use serde_json::json;

/// One duty, with what has been done about it.
#[derive(Debug, Clone)]
pub struct DutyTask {
    /// The incident.
    pub reference: IncidentReference,
    /// Candour's decision.
    pub decision: Decision,
    /// The decision in force: a manager's, else Candour's.
    pub verdict: Verdict,
    /// The checklist, and whether it is done.
    pub progress: Progress,
    /// The steps recorded, oldest first.
    pub steps: Vec<RecordedStep>,
    /// The prepared content (CQC notification or RIDDOR report).
    pub draft: Vec<DraftSection>,
    /// The manager's answers to CQC's questions, versioned.
    pub answers: DutyDraft,
    /// For a CQC notification: each question its form asks (name, label,
    /// hint) with the answer to show (the manager's, else what the report says).
    pub questions: Vec<(&'static str, &'static str, &'static str, String)>,
    /// For the duty of candour: the letter generated from the record.
    pub letter: Option<String>,
    /// Whether the reader may record steps and edit the draft.
    pub can_record: bool,
}

impl DutiesView {
    /// The decision in force on `duty`: a manager's, else Candour's.
    pub fn verdict(&self, duty: Duty) -> Verdict {
        self.manager(duty).map(|m| m.verdict).unwrap_or_else(|| {
            self.decisions
                .iter()
                .find(|d| d.duty == duty)
                .map_or(Verdict::NeedsInformation, |d| d.verdict)
        })
    }
}

async fn person_source(
    ctx: &Ctx,
    incident: &Incident,
) -> ActionResult<(
    Option<String>,
    Option<jiff::civil::Date>,
    Option<jiff::civil::Date>,
)> {
    let involved = ctx.store.involvements(incident.incident_id).await?;
    let Some(one) = involved
        .iter()
        .find(|i| i.role == InvolvementRole::Affected)
        .or(involved.first())
    else {
        return Ok((None, None, None));
    };
    let person = ctx
        .store
        .people_in_service(
            incident.organisation_id,
            incident.service_id,
            &[one.person_id],
        )
        .await?;
    let p = person.first();
    Ok((
        Some(one.internal_code.clone()),
        p.and_then(|p| p.date_of_birth.as_deref()?.parse().ok()),
        p.and_then(|p| p.start_date.parse().ok()),
    ))
}

async fn task(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    duty: Duty,
) -> ActionResult<(DutyTask, Incident, Service)> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    let view = duties_of(ctx, &incident, &service).await?;
    let decision = view
        .decisions
        .iter()
        .find(|d| d.duty == duty)
        .cloned()
        .ok_or(ActionError::NotFound)?;
    let steps: Vec<RecordedStep> = ctx
        .store
        .duty_steps(incident.incident_id)
        .await?
        .into_iter()
        .filter(|s| s.duty == duty)
        .collect();
    let plain: Vec<Step> = steps.iter().map(|s| s.step.clone()).collect();
    let answers = if is_cqc(duty) {
        ctx.store.duty_draft(incident.incident_id, duty).await?
    } else {
        DutyDraft::default()
    };
    let (code, born, started) = person_source(ctx, &incident).await?;
    let source = DraftSource {
        reference: &reference.to_string(),
        service: &service.name,
        area: incident.area_name.as_deref(),
        occurred_at: incident.occurred_at,
        person_code: code.as_deref(),
        date_of_birth: born,
        started,
        description: &incident.description,
        immediate_actions: &incident.immediate_actions,
        assessment: &view.assessment,
    };
    let draft = if is_cqc(duty) {
        cqc_draft(duty, &source, &answers.answers)
    } else if duty == Duty::RiddorReport {
        riddor_draft(&source, &decision)
    } else {
        Vec::new()
    };
    let questions = if is_cqc(duty) {
        candour_domain::duty_tasks::cqc_questions(duty)
            .into_iter()
            .map(|(n, l, h)| (n, l, h, answers.answers.or_report(n, &source)))
            .collect()
    } else {
        Vec::new()
    };
    let letter = (duty == Duty::DutyOfCandour)
        .then(|| candour_letter(&service.name, incident.occurred_at, &plain));
    let t = DutyTask {
        reference,
        verdict: view.verdict(duty),
        progress: progress(duty, &plain),
        decision,
        steps,
        draft,
        answers,
        questions,
        letter,
        can_record: actor.can_in(Permission::TriageIncidents, &service),
    };
    Ok((t, incident, service))
}

/// One duty of an incident, for those who review its service.
pub async fn duty_task(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    duty: Duty,
) -> ActionResult<DutyTask> {
    Ok(task(ctx, actor, reference, duty).await?.0)
}

/// Records a step of a required duty, audited.
pub async fn record_step(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    duty: Duty,
    draft: &StepDraft,
) -> ActionResult<DutyTask> {
    let (t, incident, service) = task(ctx, actor, reference, duty).await?;
    if !actor.can_in(Permission::TriageIncidents, &service) {
        return Err(ActionError::Forbidden);
    }
    if t.verdict != Verdict::Required {
        return Err(ActionError::Refused(vec![format!(
            "{} for {reference} {}: record its steps once it is required (a manager who signs off can decide it is)",
            duty.label(),
            if t.verdict == Verdict::NotRequired {
                "is not required"
            } else {
                "still needs information"
            }
        )]));
    }
    let steps: Vec<Step> = t.steps.iter().map(|s| s.step.clone()).collect();
    let now = ctx.clock.now();
    let step = check_step(
        draft,
        &StepContext {
            duty,
            occurred_at: incident.occurred_at,
            now,
            recorder: &actor.display_name,
            steps: &steps,
        },
    )
    .map_err(ActionError::Invalid)?;
    let now_ms = now.as_millisecond();
    let mut tx = ctx.store.begin().await?;
    insert_duty_step(
        &mut tx,
        (incident.organisation_id, incident.incident_id),
        duty,
        &step,
        (actor.user_id, now_ms),
    )
    .await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now_ms,
            actor: &actor.audit_name(),
            action: "incident.duty_step_recorded",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"duty": duty.code(), "step": step}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    duty_task(ctx, actor, reference, duty).await
}

/// Saves the manager's answers to CQC's questions if the draft is still at
/// `version`; a conflict names who saved it in between.
pub async fn save_cqc_answers(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    duty: Duty,
    answers: &CqcAnswers,
    version: i64,
) -> ActionResult<DutyTask> {
    if !is_cqc(duty) {
        return Err(ActionError::NotFound);
    }
    let (t, incident, service) = task(ctx, actor, reference, duty).await?;
    if !actor.can_in(Permission::TriageIncidents, &service) {
        return Err(ActionError::Forbidden);
    }
    let conflict = |d: &DutyDraft| {
        let who = d.saved.as_ref().map_or_else(String::new, |(by, at)| {
            format!(
                " {by} saved it at {}.",
                candour_domain::display::date_time(*at)
            )
        });
        ActionError::Conflict(format!(
            "The CQC draft for {reference} was changed since you opened it (version {version}, now {}).{who} Check their answers, then save yours again.",
            d.version
        ))
    };
    if t.answers.version != version {
        return Err(conflict(&t.answers));
    }
    if t.answers.answers == *answers {
        return Ok(t);
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !save_duty_draft(
        &mut tx,
        (incident.organisation_id, incident.incident_id),
        duty,
        answers,
        version,
        (actor.user_id, now),
    )
    .await?
    {
        drop(tx);
        let now_at = ctx.store.duty_draft(incident.incident_id, duty).await?;
        return Err(conflict(&now_at));
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "incident.duty_draft_saved",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({"duty": duty.code(), "before": t.answers.answers, "after": answers})
                .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    duty_task(ctx, actor, reference, duty).await
}
