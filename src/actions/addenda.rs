//! Adding to a submitted report without changing it: addenda, correction
//! requests and corrections. Each is a new row and an audit event.

use super::incidents::incident_in_scope;
use super::{ActionError, ActionResult, Actor, Ctx};
use crate::store::addenda::{Addendum, insert_addendum};
use crate::store::audit::{NewAuditEvent, append};
use candour_domain::incident::{AddendumKind, IncidentReference, check_addendum_text};
use candour_domain::notification::NotificationKind;
use candour_domain::role::Permission;
use candour_domain::validation::FieldErrors;
use serde_json::json;

/// Adds to a report. The reporter may add an addendum or answer a correction
/// request; someone who may see the service's incidents may add an addendum
/// or ask the reporter for a correction.
pub async fn add_to_report(
    ctx: &Ctx,
    actor: &Actor,
    reference: IncidentReference,
    kind: AddendumKind,
    in_reply_to: Option<uuid::Uuid>,
    text: &str,
) -> ActionResult<Addendum> {
    let (incident, service) =
        incident_in_scope(ctx, actor, reference, Permission::ViewIncidents, true).await?;
    let is_reporter = incident.reported_by == Some(actor.user_id);
    let is_reviewer = actor.can_in(Permission::ViewIncidents, &service);
    let body = check_addendum_text(text).map_err(ActionError::Invalid)?;
    let reply_to = match kind {
        AddendumKind::Addendum => None,
        AddendumKind::CorrectionRequest if is_reviewer && !is_reporter => None,
        AddendumKind::CorrectionRequest => return Err(ActionError::Forbidden),
        AddendumKind::Correction if is_reporter => {
            let existing = ctx.store.addenda(incident.incident_id).await?;
            let open = existing.iter().any(|a| {
                Some(a.addendum_id) == in_reply_to && a.kind == AddendumKind::CorrectionRequest
            });
            if !open {
                let mut e = FieldErrors::new();
                e.add(
                    "in_reply_to",
                    "Choose the correction request you are answering",
                );
                return Err(ActionError::Invalid(e));
            }
            in_reply_to
        }
        AddendumKind::Correction => return Err(ActionError::Forbidden),
    };
    let now = ctx.clock.now().as_millisecond();
    let addendum = Addendum {
        addendum_id: uuid::Uuid::now_v7(),
        incident_id: incident.incident_id,
        author_id: actor.user_id,
        author_name: actor.display_name.clone(),
        kind,
        in_reply_to: reply_to,
        body,
        created_at_ms: now,
    };
    let mut tx = ctx.store.begin().await?;
    insert_addendum(&mut tx, actor.organisation_id, &addendum).await?;
    let changes = json!({
        kind.code(): { "before": null, "after": addendum.body },
        "in_reply_to": { "before": null, "after": addendum.in_reply_to },
    });
    append(
        &mut tx,
        &NewAuditEvent {
            organisation_id: actor.organisation_id,
            occurred_at_ms: now,
            actor: &actor.audit_name(),
            action: &format!("incident.{}_added", kind.code()),
            record_type: "incident",
            record_id: &incident.incident_id.to_string(),
            changes: &changes.to_string(),
        },
    )
    .await?;
    if kind == AddendumKind::CorrectionRequest {
        super::feedback::tell_reporter(
            ctx,
            &mut tx,
            actor,
            &incident,
            NotificationKind::CorrectionRequest,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(addendum)
}
