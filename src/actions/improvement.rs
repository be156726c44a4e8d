//! Action plans: SMART actions with an owner and due date, from an incident
//! or straight into a service's improvement plan; progress with evidence;
//! the later check of whether it worked; and escalation when overdue.

use super::breaches::Reach;
use super::feedback::notify_about_action;
use super::incidents::{incident_in_scope, staff_of_service};
use super::{ActionError, ActionResult, Actor, Ctx, service_where};
use crate::email::Rendered;
use crate::store::audit::{NewAuditEvent, append};
use crate::store::counters::reserve_numbers;
use crate::store::improvement::{
    ActionUpdate, ImprovementAction, insert_action, insert_action_escalation, update_action,
};
use crate::store::organisations::Service;
use candour_domain::calendar::end_of_day;
use candour_domain::display;
use candour_domain::escalation::{Level, levels_reached};
use candour_domain::ids::ServiceId;
use candour_domain::improvement::{
    ActionDraft, ActionStatus, Effectiveness, action_reference, parse_action_reference,
};
use candour_domain::incident::{IncidentReference, london};
use candour_domain::notification::NotificationKind;
use candour_domain::role::{Permission, Role};
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// Where a new action comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum From {
    /// An incident's review.
    Incident(IncidentReference),
    /// Straight into a service's improvement plan.
    Plan(ServiceId),
    /// A serious incident investigation (`INV-000012`): linked to it and to its incident.
    Investigation(i64),
    /// A lessons-learned meeting not yet published: linked to it, and in its service's plan.
    Meeting(uuid::Uuid),
}

/// Adds an action. Its owner is told in the app and by email.
pub async fn add_action(
    ctx: &Ctx,
    actor: &Actor,
    from: From,
    draft: &ActionDraft,
) -> ActionResult<ImprovementAction> {
    let mut investigation = None;
    let mut meeting = None;
    let (service, incident) = match from {
        From::Incident(r) => {
            let (i, s) =
                incident_in_scope(ctx, actor, r, Permission::TriageIncidents, false).await?;
            (s, Some(i))
        }
        From::Plan(id) => (
            service_where(ctx, actor, id, Permission::TriageIncidents).await?,
            None,
        ),
        From::Investigation(n) => {
            let (v, i, s) = super::investigations::editable(
                ctx,
                actor,
                &candour_domain::investigation::investigation_reference(n),
            )
            .await?;
            investigation = Some(v.investigation_id);
            (s, Some(i))
        }
        From::Meeting(id) => {
            let (m, s) = super::meetings::editable(ctx, actor, id).await?;
            meeting = Some(m.meeting_id);
            (s, None)
        }
    };
    let now = ctx.clock.now();
    let today = now.to_zoned(london()).date();
    let not_before = incident
        .as_ref()
        .map(|i| i.occurred_at.to_zoned(london()).date());
    let mut draft = draft.clone();
    // Standing in the plan is the point of an action made from the plan.
    draft.in_plan |= matches!(from, From::Plan(_) | From::Meeting(_));
    let new = draft
        .validate(today, not_before)
        .map_err(ActionError::Invalid)?;
    if !staff_of_service(ctx, &service)
        .await?
        .iter()
        .any(|(id, _)| *id == new.owner)
    {
        let mut e = FieldErrors::new();
        e.add(
            "owner",
            format!("Choose someone who works at {}", service.name),
        );
        return Err(ActionError::Invalid(e));
    }
    let id = uuid::Uuid::now_v7();
    let mut tx = ctx.store.begin().await?;
    let number = reserve_numbers(&mut tx, service.organisation_id, "ACT", 1).await?;
    insert_action(
        &mut tx,
        (id, number),
        service.organisation_id,
        service.service_id,
        &new,
        incident.as_ref().map(|i| i.incident_id),
        actor.user_id,
        now.as_millisecond(),
    )
    .await?;
    if let Some(v) = investigation {
        crate::store::investigations::link_action(&mut tx, id, v, service.organisation_id).await?;
    }
    if let Some(m) = meeting {
        crate::store::meetings::link_action(&mut tx, m, id).await?;
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: service.organisation_id,
            occurred_at_ms: now.as_millisecond(),
            actor: &actor.audit_name(),
            action: "action.added",
            record_type: "action",
            record_id: &id.to_string(),
            changes: &super::created_changes(&[
                ("reference", json!(action_reference(number))),
                ("title", json!(new.title)),
                ("owner", json!(new.owner)),
                ("due_on", json!(new.due_on.to_string())),
                (
                    "incident",
                    json!(incident.as_ref().map(|i| i.reference.to_string())),
                ),
                ("in_plan", json!(new.in_plan)),
            ]),
        },
    )
    .await?;
    if new.owner != actor.user_id {
        let email = action_email(
            ctx,
            &service,
            number,
            &new.title,
            new.due_on,
            "has been given to you",
        );
        notify_about_action(
            ctx,
            &mut tx,
            service.organisation_id,
            id,
            new.owner,
            NotificationKind::ActionAssigned,
            &email,
            now.as_millisecond(),
        )
        .await?;
    }
    tx.commit().await?;
    ctx.store
        .action(service.organisation_id, number)
        .await?
        .ok_or_else(|| ActionError::Internal(anyhow::anyhow!("the new action is missing")))
}

fn action_email(
    ctx: &Ctx,
    service: &Service,
    number: i64,
    title: &str,
    due: jiff::civil::Date,
    what: &str,
) -> Rendered {
    let reference = action_reference(number);
    let link = match ctx.public_url.as_deref().map(|u| u.trim_end_matches('/')) {
        Some(base) if !base.is_empty() => format!("Open it here:\n{base}/actions/{reference}"),
        _ => "Sign in to Candour to open it.".to_owned(),
    };
    Rendered {
        subject: format!("Action {reference} at {}: {what}", service.name),
        body: format!(
            "Hello,\n\nThe action {reference} at {} ({title}, due {}) {what}.\n\n{link}\n\n\
             This email was sent by Candour. It holds no personal details of people using the service.",
            service.name,
            display::civil_date(due)
        ),
    }
}

/// One action, for the service's reviewers and the action's owner.
pub async fn open_action(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
) -> ActionResult<(ImprovementAction, bool)> {
    let number = parse_action_reference(reference).ok_or(ActionError::NotFound)?;
    let action = ctx
        .store
        .action(actor.organisation_id, number)
        .await?
        .ok_or(ActionError::NotFound)?;
    let service = ctx
        .store
        .service(actor.organisation_id, action.service_id)
        .await?;
    let reviewer = actor.can_in(Permission::TriageIncidents, &service);
    if !reviewer && action.owner.0 != actor.user_id {
        return Err(ActionError::NotFound);
    }
    let action = super::about_staff::without_hidden_actions(ctx, actor, vec![action])
        .await?
        .pop()
        .ok_or(ActionError::NotFound)?;
    // Only news about this action takes the writer.
    if ctx
        .store
        .unread_about_action(actor.user_id, action.action_id)
        .await?
        > 0
    {
        let mut tx = ctx.store.begin().await?;
        crate::store::notifications::mark_action_read(
            &mut tx,
            actor.user_id,
            action.action_id,
            ctx.clock.now().as_millisecond(),
        )
        .await?;
        tx.commit().await?;
    }
    Ok((action, reviewer))
}

/// What someone changes on an action.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// New status code.
    pub status: String,
    /// Evidence of completion, or the reason for cancelling.
    pub evidence: String,
    /// Carried into the improvement plan.
    pub in_plan: bool,
    /// Whether it worked (code), once done.
    pub effectiveness: String,
    /// A note on how it was checked.
    pub effectiveness_note: String,
}

/// Records progress on an action, if it is still at `version`.
pub async fn progress_action(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    p: &Progress,
    version: i64,
) -> ActionResult<ImprovementAction> {
    let (action, _) = open_action(ctx, actor, reference).await?;
    let mut e = FieldErrors::new();
    let status = ActionStatus::parse(p.status.trim());
    if status.is_none() {
        e.add("status", "Choose where the action stands");
    }
    let evidence = Some(p.evidence.trim()).filter(|s| !s.is_empty());
    if status == Some(ActionStatus::Done) && evidence.is_none() && action.evidence.is_none() {
        e.add(
            "evidence",
            "Say what shows it is done: a record, an audit, a training log",
        );
    }
    if status == Some(ActionStatus::Cancelled) && evidence.is_none() {
        e.add("evidence", "Say why it is no longer needed");
    }
    if evidence.is_some_and(|t| t.chars().count() > 4_000)
        || p.effectiveness_note.trim().chars().count() > 4_000
    {
        e.add("evidence", "Keep it to 4000 characters or fewer");
    }
    let effectiveness = match p.effectiveness.trim() {
        "" => None,
        code => match Effectiveness::parse(code) {
            Some(_) if status != Some(ActionStatus::Done) => {
                e.add("effectiveness", "Check whether it worked once it is done");
                None
            }
            Some(x) => Some(x),
            None => {
                e.add("effectiveness", "Choose whether it worked from the list");
                None
            }
        },
    };
    let status = match status {
        Some(s) if e.is_empty() => s,
        _ => return Err(ActionError::Invalid(e)),
    };
    let now = ctx.clock.now().as_millisecond();
    let update = ActionUpdate {
        status,
        evidence,
        in_plan: p.in_plan || action.in_plan,
        effectiveness: effectiveness.map(|x| (x, p.effectiveness_note.trim())),
    };
    let mut tx = ctx.store.begin().await?;
    if !update_action(&mut tx, action.action_id, &update, version, now).await? {
        return Err(ActionError::Conflict(
            "Someone updated this action while you were working: check it as it is now.".to_owned(),
        ));
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: action.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "action.updated",
            record_type: "action",
            record_id: &action.action_id.to_string(),
            changes: &json!({
                "status": {"before": action.status.code(), "after": status.code()},
                "evidence": {"before": action.evidence, "after": evidence},
                "in_plan": {"before": action.in_plan, "after": update.in_plan},
                "effectiveness": {"before": action.effectiveness.as_ref().map(|x| x.0.code()), "after": effectiveness.map(|x| x.code())},
            })
            .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    ctx.store
        .action(action.organisation_id, action.number)
        .await?
        .ok_or(ActionError::NotFound)
}

/// Links an action to one more incident of its service (one action can
/// answer several reports, as after a thematic review). The incident is
/// given by reference, as typed (`INC-000123` or `123`).
pub async fn link_incident(
    ctx: &Ctx,
    actor: &Actor,
    reference: &str,
    incident: &str,
) -> ActionResult<ImprovementAction> {
    let (action, reviewer) = open_action(ctx, actor, reference).await?;
    if !reviewer {
        return Err(ActionError::Forbidden);
    }
    let invalid = |message: String| {
        let mut e = FieldErrors::new();
        e.add("incident", message);
        ActionError::Invalid(e)
    };
    let Some(r) = IncidentReference::parse(incident.trim()) else {
        return Err(invalid(
            "Enter the report's reference, like INC-000123".to_owned(),
        ));
    };
    let found = incident_in_scope(ctx, actor, r, Permission::TriageIncidents, false).await;
    let (i, service) = match found {
        Ok(x) => x,
        Err(ActionError::NotFound) => {
            return Err(invalid(format!("There is no report {r} that you review")));
        }
        Err(e) => return Err(e),
    };
    if service.service_id != action.service_id {
        return Err(invalid(format!(
            "{r} is at {}: link reports of {} only (give the other service its own action)",
            service.name, action.service_name
        )));
    }
    let now = ctx.clock.now().as_millisecond();
    let mut tx = ctx.store.begin().await?;
    if !crate::store::improvement::link_incident(
        &mut tx,
        action.action_id,
        i.incident_id,
        action.organisation_id,
    )
    .await?
    {
        return Err(invalid(format!("{r} is already linked to this action")));
    }
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: action.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: "action.incident_linked",
            record_type: "action",
            record_id: &action.action_id.to_string(),
            changes: &json!({"incidents": {"added": r.to_string()}}).to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    ctx.store
        .action(action.organisation_id, action.number)
        .await?
        .ok_or(ActionError::NotFound)
}

/// A service's improvement plan: its actions, open ones first.
pub async fn improvement_plan(
    ctx: &Ctx,
    actor: &Actor,
    service: ServiceId,
) -> ActionResult<(Service, Vec<ImprovementAction>)> {
    let s = service_where(ctx, actor, service, Permission::TriageIncidents).await?;
    let actions = ctx
        .store
        .service_actions(actor.organisation_id, s.service_id)
        .await?;
    let actions = super::about_staff::without_hidden_actions(ctx, actor, actions).await?;
    Ok((s, actions))
}

/// Tells owners and managers about overdue actions, a level a working day
/// (as with reviews), each once. Returns how many people were told.
pub async fn escalate_overdue_actions(ctx: &Ctx) -> ActionResult<usize> {
    let now = ctx.clock.now();
    let today = now.to_zoned(london()).date();
    let mut told = 0;
    let mut reach = Reach::default();
    for a in ctx.store.overdue_actions(today).await? {
        let service = reach.service(ctx, a.organisation_id, a.service_id).await?;
        let cal = reach.calendar(ctx, &service).await?;
        let mut tx = ctx.store.begin().await?;
        for level in levels_reached(&cal, end_of_day(a.due_on), now) {
            let role = match level {
                Level::RegisteredManager => Role::RegisteredManager,
                Level::RegionalManager => Role::RegionalManager,
                Level::HeadOfOperations => Role::HeadOfOperations,
            };
            let mut people = reach.holders(ctx, &service, role).await?;
            if level == Level::RegisteredManager && !people.contains(&a.owner.0) {
                people.push(a.owner.0);
            }
            for user in people {
                if insert_action_escalation(
                    &mut tx,
                    a.action_id,
                    a.due_on,
                    level,
                    user,
                    now.as_millisecond(),
                )
                .await?
                {
                    let email =
                        action_email(ctx, &service, a.number, &a.title, a.due_on, "is overdue");
                    notify_about_action(
                        ctx,
                        &mut tx,
                        a.organisation_id,
                        a.action_id,
                        user,
                        NotificationKind::ActionOverdue,
                        &email,
                        now.as_millisecond(),
                    )
                    .await?;
                    told += 1;
                }
            }
        }
        tx.commit().await?;
    }
    Ok(told)
}
