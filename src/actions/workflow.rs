//! Moving an incident through its life after triage: starting the review
//! or investigation, asking for sign-off, signing off and closing (with the
//! feedback to the reporter and the registered manager's recommendations),
//! sending back, and reopening. The guards are the domain's
//! (`candour_domain::workflow`); a refusal lists every reason in words.

use super::feedback::write_feedback;
use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::audit::{NewAuditEvent, append};
use crate::store::workflow::{insert_sign_off, insert_transition, move_status};
use candour_domain::display;
use candour_domain::feedback::check_feedback;
use candour_domain::incident::IncidentReference;
use candour_domain::investigation::InvestigationStatus;
use candour_domain::role::Permission;
use candour_domain::workflow::{CloseFacts, Move, check_move};
use serde_json::json;

/// What comes with a move.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoveInput {
    /// The note: a summary of the review, the sign-off note, or the reason
    /// to send back or reopen.
    pub note: String,
    /// When closing: the registered manager's recommendations on how to
    /// prevent it happening again.
    pub recommendations: String,
    /// When closing without feedback yet: the feedback to the reporter.
    pub feedback: String,
}

/// Longest note or recommendation accepted.
const MAX_NOTE: usize = 10_000;

/// Makes `mv` on the incident, if it is still at `version` and every guard allows it.
pub async fn move_incident(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    mv: Move,
    input: &MoveInput,
    version: i64,
) -> ActionResult<()> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, false).await?;
    let needed = match mv {
        Move::Close | Move::SendBack => Permission::SignOffIncidents,
        _ => Permission::TriageIncidents,
    };
    if !actor.can_in(needed, &service) {
        return Err(ActionError::Forbidden);
    }
    if version != incident.version {
        let latest = ctx.store.transitions(incident.incident_id).await?.pop();
        return Err(ActionError::Conflict(match latest {
            Some(t) => format!(
                "{} made it {} at {} while you were working: check the record as it is now.",
                t.actor_name,
                t.to.label().to_lowercase(),
                display::date_time(t.at)
            ),
            None => "Someone changed it while you were working: check the record as it is now."
                .to_owned(),
        }));
    }
    let note = input.note.trim();
    let recommendations = input.recommendations.trim();
    if note.chars().count() > MAX_NOTE || recommendations.chars().count() > MAX_NOTE {
        return Err(ActionError::Refused(vec![format!(
            "Keep notes and recommendations to {MAX_NOTE} characters or fewer"
        )]));
    }
    let given = ctx.store.feedback(incident.incident_id).await?;
    let new_feedback = match input.feedback.trim() {
        "" => None,
        text => Some(check_feedback(text).map_err(ActionError::Invalid)?),
    };
    let actions = ctx.store.incident_actions(incident.incident_id).await?;
    let open: Vec<_> = actions.iter().filter(|a| a.status.is_open()).collect();
    let facts = CloseFacts {
        feedback_given: !given.is_empty() || new_feedback.is_some(),
        open_actions: u32::try_from(open.len()).unwrap_or(u32::MAX),
        open_actions_in_plan: u32::try_from(open.iter().filter(|a| a.in_plan).count())
            .unwrap_or(u32::MAX),
        investigation_open: ctx
            .store
            .incident_investigation(incident.incident_id)
            .await?
            .is_some_and(|v| v.status == InvestigationStatus::Open),
    };
    let to = check_move(incident.status, mv, note, facts).map_err(|mut reasons| {
        // Name the open actions, so the manager knows which to finish.
        let outside: Vec<String> = open
            .iter()
            .filter(|a| !a.in_plan)
            .map(|a| candour_domain::improvement::action_reference(a.number))
            .collect();
        let generic = candour_domain::workflow::open_actions_reason(
            u32::try_from(outside.len()).unwrap_or(u32::MAX),
        );
        for r in &mut reasons {
            if *r == generic {
                *r = format!("{generic} ({})", outside.join(", "));
            }
        }
        ActionError::Refused(reasons)
    })?;
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    if !move_status(&mut tx, incident.incident_id, to, version, now).await? {
        return Err(ActionError::Conflict(
            "Someone changed it while you were working: check the record as it is now.".to_owned(),
        ));
    }
    if mv == Move::Close {
        if let Some(body) = new_feedback {
            write_feedback(ctx, &mut tx, actor, &incident, body, now.as_millisecond()).await?;
        }
        insert_sign_off(
            &mut tx,
            incident.organisation_id,
            incident.incident_id,
            (note, recommendations),
            actor.user_id,
            now,
        )
        .await?;
    }
    insert_transition(
        &mut tx,
        incident.organisation_id,
        incident.incident_id,
        (incident.status, to),
        note,
        actor.user_id,
        now,
    )
    .await?;
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: incident.organisation_id,
            occurred_at_ms: now.as_millisecond(),
            actor: &actor.audit_name(),
            action: "incident.moved",
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &json!({
                "status": {"before": incident.status.code(), "after": to.code()},
                "note": {"before": null, "after": note},
                "recommendations": {"before": null, "after": (mv == Move::Close).then_some(recommendations)},
            })
            .to_string(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
