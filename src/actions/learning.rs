//! Learning beyond incidents (domain `learning`): learning logs about a
//! person's everyday support (anyone who works in their service writes
//! them), reflective practice after an incident and the person's
//! involvement in its review (those who triage), and supervision
//! reflections, private to the member of staff and their supervisor.

use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx, services_where};
use crate::store::learning::{
    SupervisionRecord, Written, insert_involvement, insert_log, insert_practice, insert_supervision,
};
use crate::store::organisations::Service;
use crate::store::people::Person;
use candour_domain::ids::{PersonId, UserId};
use candour_domain::incident::{IncidentReference, london};
use candour_domain::learning::{
    Involvement, InvolvementDraft, Log, LogDraft, Practice, PracticeDraft, SupervisionDraft,
};
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

async fn audit(
    ctx: &Ctx,
    tx: &mut crate::store::Tx,
    actor: &Actor,
    (record_type, id, action): (&str, String, &str),
    changes: serde_json::Value,
) -> ActionResult<()> {
    super::audit_now(ctx, tx, actor, (record_type, &id, action), &changes).await
}

/// A person and their service, for anyone who works there (reports in it or sees its incidents).
async fn person_for_staff(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
) -> ActionResult<(Person, Service)> {
    let person = ctx
        .store
        .person_by_id(actor.organisation_id, id)
        .await?
        .ok_or(ActionError::NotFound)?;
    let service = ctx
        .store
        .services(actor.organisation_id)
        .await?
        .into_iter()
        .find(|s| s.service_id == person.service_id)
        .filter(|s| {
            actor.can_in(Permission::ReportIncident, s)
                || actor.can_in(Permission::ViewIncidents, s)
        })
        .ok_or(ActionError::NotFound)?;
    Ok((person, service))
}

/// A person's learning logs, and whether one asks for their care plan or
/// risk assessment to be reviewed (written since their last risk review).
#[derive(Debug, Clone)]
pub struct LogsView {
    /// The person.
    pub person: Person,
    /// Their service.
    pub service: Service,
    /// The logs, newest first.
    pub logs: Vec<Written<Log>>,
    /// The logs since their last review that change their support.
    pub review_asked: Vec<Written<Log>>,
}

/// A person's learning logs.
pub async fn learning_logs(ctx: &Ctx, actor: &Actor, id: PersonId) -> ActionResult<LogsView> {
    let (person, service) = person_for_staff(ctx, actor, id).await?;
    let logs = ctx.store.learning_logs(actor.organisation_id, id).await?;
    let reviewed = ctx
        .store
        .risk_reviews(actor.organisation_id, id)
        .await?
        .first()
        .map(|r| r.reviewed_at);
    let review_asked = logs
        .iter()
        .filter(|l| l.record.changes_support && reviewed.is_none_or(|r| l.at > r))
        .cloned()
        .collect();
    Ok(LogsView {
        person,
        service,
        logs,
        review_asked,
    })
}

/// Writes a learning log about a person (anyone who works in their service); audited.
pub async fn write_log(
    ctx: &Ctx,
    actor: &Actor,
    id: PersonId,
    draft: &LogDraft,
) -> ActionResult<()> {
    let (person, service) = person_for_staff(ctx, actor, id).await?;
    let log = draft.validate().map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_log(
        &mut tx,
        (service.organisation_id, service.service_id, id),
        &log,
        (actor.user_id, ctx.clock.now().as_millisecond()),
    )
    .await?;
    audit(
        ctx,
        &mut tx,
        actor,
        ("person", id.to_string(), "person.learning_log_written"),
        json!({"person": person.internal_code, "activity": log.activity, "changes_support": log.changes_support}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An incident's reflective practice and the person's involvement in its review.
#[derive(Debug, Clone)]
pub struct ReflectionView {
    /// Sessions.
    pub practice: Vec<Written<Practice>>,
    /// Involvement.
    pub involvement: Vec<Written<Involvement>>,
    /// Whether the reader may add to them.
    pub can_add: bool,
}

/// What has been recorded for an incident (those who see it).
pub async fn reflection(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
) -> ActionResult<ReflectionView> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    Ok(ReflectionView {
        practice: ctx.store.practice_sessions(incident.incident_id).await?,
        involvement: ctx.store.review_involvements(incident.incident_id).await?,
        can_add: actor.can_in(Permission::TriageIncidents, &service),
    })
}

/// Records a reflective practice session after an incident (those who triage); audited.
pub async fn record_practice(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    draft: &PracticeDraft,
) -> ActionResult<()> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, false).await?;
    let window = (
        incident.occurred_at.to_zoned(london()).date(),
        ctx.clock.now().to_zoned(london()).date(),
    );
    let p = draft.validate(window).map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_practice(
        &mut tx,
        (actor.organisation_id, incident.incident_id),
        &p,
        (actor.user_id, ctx.clock.now().as_millisecond()),
    )
    .await?;
    audit(
        ctx,
        &mut tx,
        actor,
        (
            "incident",
            incident.incident_id.to_string(),
            "incident.reflective_practice_recorded",
        ),
        json!({"held_on": p.held_on.to_string(), "participants": p.participants}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the person's (or their representative's) part in the review
/// of an incident (those who triage); audited.
pub async fn record_involvement(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    draft: &InvolvementDraft,
) -> ActionResult<()> {
    let (incident, _) =
        incident_in_scope(ctx, actor, reference, Permission::TriageIncidents, false).await?;
    let i = draft.validate().map_err(ActionError::Invalid)?;
    let mut tx = ctx.store.begin().await?;
    insert_involvement(
        &mut tx,
        (actor.organisation_id, incident.incident_id),
        &i,
        (actor.user_id, ctx.clock.now().as_millisecond()),
    )
    .await?;
    audit(
        ctx,
        &mut tx,
        actor,
        (
            "incident",
            incident.incident_id.to_string(),
            "incident.involvement_recorded",
        ),
        json!({"by_representative": i.representative.is_some()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whom the reader may supervise: staff of the services where they triage
/// (not themselves), as (id, name).
pub async fn supervisees(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<(UserId, String)>> {
    let mine = services_where(ctx, actor, Permission::TriageIncidents).await?;
    let mut out: Vec<(UserId, String)> = Vec::new();
    for s in &mine {
        for (id, name) in super::incidents::staff_of_service(ctx, s).await? {
            if id != actor.user_id && !out.iter().any(|(x, _)| *x == id) {
                out.push((id, name));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The supervision reflections the reader may read: their own, and those they recorded.
pub async fn my_supervision(ctx: &Ctx, actor: &Actor) -> ActionResult<Vec<SupervisionRecord>> {
    Ok(ctx
        .store
        .supervision_for(actor.organisation_id, actor.user_id)
        .await?)
}

/// Records a reflection from supervision about a member of staff the
/// reader supervises. Audited without its words: only the two of them read it.
pub async fn record_supervision(
    ctx: &Ctx,
    actor: &Actor,
    draft: &SupervisionDraft,
) -> ActionResult<()> {
    let options = supervisees(ctx, actor).await?;
    if options.is_empty() {
        return Err(ActionError::Forbidden);
    }
    let today = ctx.clock.now().to_zoned(london()).date();
    let staff = options
        .iter()
        .find(|(id, _)| id.to_string() == draft.staff)
        .map(|(id, _)| *id);
    let checked = draft.validate(today);
    let mut e = match &checked {
        Ok(_) => FieldErrors::new(),
        Err(e) => e.clone(),
    };
    if staff.is_none() {
        e.0.insert(
            0,
            candour_domain::validation::FieldError {
                field: "staff".into(),
                message: "Choose the member of staff you supervise".into(),
                pointer: None,
            },
        );
    }
    let (Some(staff), Ok(s), true) = (staff, checked, e.is_empty()) else {
        return Err(ActionError::Invalid(e));
    };
    let mut tx = ctx.store.begin().await?;
    insert_supervision(
        &mut tx,
        actor.organisation_id,
        (staff, actor.user_id),
        &s,
        ctx.clock.now().as_millisecond(),
    )
    .await?;
    audit(
        ctx,
        &mut tx,
        actor,
        ("user", staff.to_string(), "supervision.reflection_recorded"),
        json!({"held_on": s.held_on.to_string()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
